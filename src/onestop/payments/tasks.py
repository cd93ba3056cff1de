"""Payment tasks: send orders to the bank until it accepts them."""

from __future__ import annotations

from onestop.core.jobs import background


@background(queue_name="default", max_attempts=12, backoff_seconds=5)
def payment_order_send_task(order_id: str) -> str:
    """Send one payment order; an unreachable bank fails the attempt and the queue retries."""
    from onestop.payments.services import payment_order_send

    return payment_order_send(order_id=order_id).status
