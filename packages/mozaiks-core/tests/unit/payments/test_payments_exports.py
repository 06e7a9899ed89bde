from __future__ import annotations

import mozaiks_core_runtime.payments as payments
from mozaiks_core_runtime.errors import MozaiksCoreError


def test_all_is_sorted_and_importable() -> None:
    exported = list(payments.__all__)
    assert exported == sorted(exported, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    for name in payments.__all__:
        assert hasattr(payments, name), name


def test_errors_share_the_distribution_root() -> None:
    assert issubclass(payments.PaymentError, MozaiksCoreError)
    assert payments.WebhookVerificationError.status_code == 400
    assert payments.ProviderNotFoundError("x", provider="p").to_json() == {"error": "x", "details": {"provider": "p"}}
