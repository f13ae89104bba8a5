"""The billing account over HTTP: after the provider's signed notifications, the customer
reads their balance, invoices (with the provider's payment page) and payments; exact decimals
in the account's currency; nobody else's account."""

from __future__ import annotations

from typing import Any

from domain.shared.metadata import Role
from tests.api.helpers import registered
from tests.api.payment_steps import PAY_URL, invoice, notify, payment
from tests.support.server import LiveApi

ACCOUNT = """
query($c: UUID!) { billingAccount(customerId: $c) {
  currency balance balanceMinor invoiced paid refunded
  invoices(first: 10) { edges { node { invoiceId amount amountMinor paid outstanding
    paymentUrl } } pageInfo { hasNextPage } }
  payments(first: 10) { edges { node { paymentId succeeded amount refunded failureCode } } }
} }
"""


def account(api: LiveApi, customer_id: str, role: Role, subject: str) -> dict[str, Any]:
    api.caught_up()
    body: dict[str, Any] = api.graphql(ACCOUNT, {"c": customer_id}, role, subject).json()
    return body


def test_the_customer_reads_balance_invoices_and_payments(api: LiveApi) -> None:
    """Invoiced 42.50 and 10.00, paid 42.50 after a failed try, refunded 2.50: the balance is
    12.50 EUR, exact; the open invoice shows the provider's page to pay it."""
    bea = registered(api, name="Bea Billed", email="bea@example.org")
    invoice(api, bea, "n1", "inv_1", 4250)
    invoice(api, bea, "n2", "inv_2", 1000)
    failed = notify(api, id="n3", type="payment.failed", customerId=bea, currency="EUR",
                    amountMinor=4250, invoiceId="inv_1", paymentId="p0",
                    failureCode="card_declined")  # fmt: skip
    assert failed.status_code == 200
    payment(api, bea, "n4", "p1", 4250)
    refund = notify(api, id="n5", type="refund.issued", customerId=bea, currency="EUR",
                    amountMinor=250, paymentId="p1", refundId="r1")  # fmt: skip
    assert refund.status_code == 200

    body = account(api, bea, Role.CUSTOMER, bea)
    assert "errors" not in body, body
    got = body["data"]["billingAccount"]
    assert (got["currency"], got["balance"], got["balanceMinor"]) == ("EUR", "12.50", 1250)
    assert (got["invoiced"], got["paid"], got["refunded"]) == ("52.50", "42.50", "2.50")
    invoices = [e["node"] for e in got["invoices"]["edges"]]
    assert [(i["invoiceId"], i["amount"], i["paymentUrl"]) for i in invoices] == [
        ("inv_1", "42.50", PAY_URL),
        ("inv_2", "10.00", PAY_URL),
    ]
    payments = [e["node"] for e in got["payments"]["edges"]]
    assert [(p["paymentId"], p["succeeded"], p["failureCode"]) for p in payments] == [
        ("p0", False, "card_declined"),
        ("p1", True, None),
    ]
    assert payments[1]["refunded"] == "2.50"


def test_a_customer_may_not_read_another_customers_account(api: LiveApi) -> None:
    """Another customer is refused FORBIDDEN; an agent reads it."""
    bea = registered(api, name="Bea Billed", email="bea@example.org")
    cy = registered(api, name="Cy Other", email="cy@example.org")
    invoice(api, bea, "n1", "inv_1", 100)
    other = account(api, bea, Role.CUSTOMER, cy)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    agent = account(api, bea, Role.AGENT, "agent-1")
    assert agent["data"]["billingAccount"]["balance"] == "1.00"


def test_a_currency_without_minor_units_keeps_its_exact_amount(api: LiveApi) -> None:
    """JPY has no minor unit: 1500 minor units are 1500 yen, not 15."""
    bea = registered(api, name="Bea Billed", email="bea@example.org")
    response = notify(api, id="n1", type="invoice.issued", customerId=bea, currency="JPY",
                      amountMinor=1500, invoiceId="inv_1")  # fmt: skip
    assert response.status_code == 200, response.text
    got = account(api, bea, Role.CUSTOMER, bea)["data"]["billingAccount"]
    assert (got["currency"], got["balance"]) == ("JPY", "1500")
