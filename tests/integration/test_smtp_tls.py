"""Mail over TLS to a real SMTP server on loopback (aiosmtpd) holding a certificate made in the
test: TLS from the first byte (smtps://) and STARTTLS (smtp://...?starttls=true) both deliver
when the certificate's authority is trusted (CXL_SMTP_CA_FILE); an untrusted certificate is a
delivery error recorded on the message and retried later, never a crash and never plain
text."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey
from domain.survey.values import SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.delivery.addresses import checked_ca_file, smtp_endpoint
from tests.support.delivery import MovableClock, deliveries, project_outbox, sender
from tests.support.tls import TlsMailServer, make_certificates

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)


def invited(ledger: Ledger, agent: EventMetadata) -> UUID:
    """Ada, opted in to email, invited to a survey by email: one message to send."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent).aggregate_id
    ledger.set_contact_preferences(SetContactPreferences(ada, {ContactChannel.EMAIL: True}), agent)
    draft = DraftSurvey(SurveyKind.NPS, "NPS", "Recommend us?", [SurveyChannel.EMAIL])
    survey = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey, ADMIN)
    ledger.invite_to_survey(survey, ada, SurveyChannel.EMAIL, ADMIN)
    return ada


@pytest.mark.parametrize("implicit", [True, False], ids=["smtps", "starttls"])
def test_mail_goes_over_tls_to_a_server_whose_authority_is_trusted(
    ledger: Ledger, database: Database, agent: EventMetadata, tmp_path: Path, implicit: bool
) -> None:
    """With the CA file trusted, the message is delivered encrypted and marked sent."""
    certificates = make_certificates(tmp_path)
    invited(ledger, agent)
    project_outbox(ledger, database)
    with TlsMailServer(certificates, implicit=implicit) as server:
        sender(ledger, database, server.endpoint(certificates.ca_file), MovableClock()).run()
        [mail] = server.mailbox.all()
    assert mail.envelope_to == ("ada@example.org",)
    assert deliveries(database)[0]["status"] == "sent"


@pytest.mark.parametrize("implicit", [True, False], ids=["smtps", "starttls"])
def test_an_untrusted_certificate_is_a_recorded_error_retried_later(
    ledger: Ledger, database: Database, agent: EventMetadata, tmp_path: Path, implicit: bool
) -> None:
    """A certificate from an authority not trusted (another CA's file, as an impostor's would
    be): nothing is sent, the message stays pending with the error recorded, and once the
    right authority is trusted the next try delivers it."""
    (tmp_path / "server").mkdir()
    certificates = make_certificates(tmp_path / "server", "the server's CA")
    other = make_certificates(tmp_path, "someone else's CA")
    invited(ledger, agent)
    project_outbox(ledger, database)
    clock = MovableClock()
    with TlsMailServer(certificates, implicit=implicit) as server:
        sender(ledger, database, server.endpoint(other.ca_file), clock).run()
        assert server.mailbox.all() == []
        [refused] = deliveries(database)
        assert (refused["status"], refused["attempts"]) == ("pending", 1)
        assert "CERTIFICATE_VERIFY_FAILED" in refused["last_error"]
        clock.advance(10)
        sender(ledger, database, server.endpoint(certificates.ca_file), clock).run()
        assert len(server.mailbox.all()) == 1
    assert deliveries(database)[0]["status"] == "sent"


def test_the_ca_file_setting_must_be_a_pem_file_of_certificates(tmp_path: Path) -> None:
    """CXL_SMTP_CA_FILE: a missing file or one without a certificate stops start-up."""
    certificates = make_certificates(tmp_path)
    assert checked_ca_file(str(certificates.ca_file)) == str(certificates.ca_file)
    with pytest.raises(ValueError, match="names no file"):
        checked_ca_file(str(tmp_path / "missing.pem"))
    with pytest.raises(ValueError, match="not a readable PEM"):
        checked_ca_file(str(certificates.key_file))
    endpoint = smtp_endpoint("smtps://mail.example.org", str(certificates.ca_file))
    assert (endpoint.port, endpoint.use_tls, endpoint.ca_file) == (
        465,
        True,
        str(certificates.ca_file),
    )
