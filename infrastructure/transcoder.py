"""The ledger's JSON transcoder: the library's ``JSONTranscoder`` encoding, a faster decoding.

Decoding was over half of a rebuild's time (benchmarks/rebuild.py --profile): the standard
library's parser, then an object hook called on every JSON object, tagged or not. Here orjson
parses the stored bytes (about twice as fast as ``json``) and one walk over the result turns
each tagged object (``{"_type_": name, "_data_": data}``) into its value, innermost first, as
the object hook did (a transcoding marked ``flat``, whose ``encode`` makes its data of strings
only, gets them as parsed: there is nothing inside to decode). The same stored bytes give the
same objects, and encoding is the library's, byte for byte, so the stored format and the audit
chain's hashes are unchanged.

What orjson refuses and ``json`` reads (``NaN`` and ``Infinity``, which ``json`` writes for such
floats; lone surrogates), and integers past 64 bits, which orjson reads as floats, fall back to
the library's decoder, so every event already stored decodes as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding, TranscodingNotRegisteredError

_DIGITS_AS_ZEROS = bytes(
    ord("0") if chr(byte).isdigit() and byte < 128 else ord(" ") for byte in range(256)
)
"""Each ASCII digit as ``0``, every other byte as a space (a ``bytes.translate`` table)."""
_LONG_DIGITS = b"0" * 19
"""Nineteen digits in a row (once translated): perhaps an integer past 64 bits, which orjson
reads as a float where ``json`` keeps it exact. Rare in events (hex ids and ciphertexts seldom
have such runs); a false alarm only costs the slower decoder. Found by translating and a
substring search: a regular expression for it cost 5.5 us of a 15 us decode (every digit of
the ids and ciphertexts starts a try), these two C loops about 1 us."""
_TYPE = "_type_"
_Decoder = tuple[Callable[[Any], Any], bool]
"""A transcoding's ``decode``, and whether it is ``flat``."""
_DATA = "_data_"


class LedgerTranscoder(JSONTranscoder):
    """``JSONTranscoder`` with orjson and one walk instead of an object hook per object."""

    def __init__(self) -> None:
        super().__init__()
        self._decoders: dict[str, _Decoder] = {}

    def decode(self, data: bytes) -> Any:
        if _LONG_DIGITS in data.translate(_DIGITS_AS_ZEROS):
            return super().decode(data)  # maybe an integer orjson would read as a float
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        return self._revived(parsed)

    def _revived(self, value: Any) -> Any:
        """``value`` with each tagged object decoded by its transcoding, innermost first."""
        if type(value) is dict:
            return self._revived_object(value)
        if type(value) is list:
            return [self._revived(item) if type(item) in _NESTED else item for item in value]
        return value

    def _revived_object(self, value: dict[str, Any]) -> Any:
        decoders = self._decoders
        for name, item in value.items():
            if type(item) is dict:
                # A tagged value (most of an event's values) is decoded here, without a call
                # for its own two keys.
                if len(item) == 2 and type(tag := item.get(_TYPE)) is str and _DATA in item:
                    decode, flat = decoders.get(tag) or self._decoder(tag)
                    data = item[_DATA]
                    if not flat and type(data) in _NESTED:
                        data = self._revived(data)
                    value[name] = decode(data)
                else:
                    value[name] = self._revived_object(item)
            elif type(item) is list:
                value[name] = self._revived(item)
        if len(value) == 2 and _TYPE in value and _DATA in value:  # a tagged value at the top
            return self._tagged(value[_TYPE], value[_DATA])
        return value

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        # Each tag's decoding function and ``flat`` flag, found once per tag (a look-up of the
        # transcoding, then of its method and its flag, per tagged value was a tenth of the
        # walk); forgotten whenever a name may come to mean another transcoding.
        self._decoders = {}

    def _decoder(self, name: str) -> _Decoder:
        transcoding = self._named(name)
        decoder = self._decoders[name] = (transcoding.decode, getattr(transcoding, "flat", False))
        return decoder

    def _tagged(self, name: str, data: Any) -> Any:
        return self._named(name).decode(data)

    def _named(self, name: str) -> Transcoding:
        transcoding = self.names.get(name)
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. "
                "Please register a custom transcoding for this type."
            )
        return transcoding


_ABSENT = object()
_NESTED = (dict, list)
