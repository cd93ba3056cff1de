"""The sandbox's one HTML page: pay a Thai QR, see recent transactions and callbacks.

Everything printed goes through `html.escape`: payee names, references and delivery errors
come from requests and from other programs.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Mapping, Sequence

from onestop.banksim.rules import iso

ATTEMPTS_SHOWN = 6

STYLE = """
body { font: 16px/1.5 "Noto Sans Thai", "Noto Sans", system-ui, sans-serif; margin: 2rem;
       color: #0b0c0c; max-width: 80rem; }
h1 { font-size: 1.8rem; margin-top: 0; } h2 { font-size: 1.3rem; margin-top: 2rem; }
label { display: block; font-weight: bold; margin-top: 1rem; }
textarea, input { font: inherit; padding: .4rem; border: 2px solid #0b0c0c; width: 100%;
                  max-width: 40rem; box-sizing: border-box; }
textarea { font-family: monospace; }
button { font: inherit; font-weight: bold; margin-top: 1rem; padding: .5rem 1.2rem;
         background: #00703c; color: #fff; border: 0; cursor: pointer; }
button:focus, input:focus, textarea:focus, a:focus { outline: 3px solid #fd0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; border-bottom: 1px solid #b1b4b6; padding: .3rem .5rem;
         vertical-align: top; }
code { font-size: .85rem; word-break: break-all; }
.error { border-left: 5px solid #d4351c; padding: .5rem 1rem; color: #d4351c; }
.notice { border-left: 5px solid #00703c; padding: .5rem 1rem; }
.hint { color: #505a5f; }
.nowrap, .nowrap code { white-space: nowrap; word-break: normal; }
"""


def e(value: object) -> str:
    """Escape a value for HTML text or an attribute; None prints as an empty string."""
    return html.escape("" if value is None else str(value), quote=True)


def render_page(
    *,
    transactions: Sequence[sqlite3.Row],
    callbacks: Sequence[sqlite3.Row],
    attempts: Mapping[int, Sequence[sqlite3.Row]],
    callback_url: str,
    form: Mapping[str, str] | None = None,
    error: str = "",
    notice: str = "",
) -> str:
    """The whole page."""
    return "".join(
        [
            '<!doctype html><html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>OneStop bank sandbox</title><style>{STYLE}</style></head><body>",
            "<h1>OneStop bank sandbox</h1>",
            '<p class="hint">A stand-in bank for development and tests '
            "(docs/bank-protocol.md). Callbacks go to "
            f'<code>{e(callback_url)}</code>. <a href="/">Refresh</a></p>',
            _message(error, notice),
            _pay_form(form or {}, error),
            _transactions_table(transactions),
            _callbacks_table(callbacks, attempts),
            "</body></html>",
        ]
    )


def _message(error: str, notice: str) -> str:
    if error:
        return f'<div class="error" role="alert"><strong>Not paid:</strong> {e(error)}</div>'
    if notice:
        return f'<div class="notice" role="status">{e(notice)}</div>'
    return ""


def _pay_form(form: Mapping[str, str], error: str) -> str:
    invalid = ' aria-invalid="true"' if error else ""
    return (
        '<h2>Pay a Thai QR</h2><form method="post" action="/v1/qr-payments">'
        '<label for="payload">QR payload</label>'
        '<p class="hint" id="payload-hint">Paste the text of a bill payment QR code '
        "(it starts with 000201 and ends with 6304 and four characters).</p>"
        f'<textarea id="payload" name="payload" rows="4" required aria-describedby="payload-hint"'
        f"{invalid}>{e(form.get('payload'))}</textarea>"
        '<label for="payer_name">Payer name</label>'
        f'<input id="payer_name" name="payer_name" value="{e(form.get("payer_name"))}" '
        'autocomplete="name">'
        '<label for="amount">Amount in baht</label>'
        '<p class="hint" id="amount-hint">Only used when the QR has no amount.</p>'
        f'<input id="amount" name="amount" inputmode="decimal" value="{e(form.get("amount"))}" '
        'aria-describedby="amount-hint">'
        '<div><button type="submit">Pay</button></div></form>'
    )


def _transactions_table(rows: Sequence[sqlite3.Row]) -> str:
    body = "".join(
        "<tr>"
        f'<td class="nowrap"><code>{e(row["bank_reference"])}</code></td>'
        f"<td>{e(row['type'])}</td>"
        f"<td>{e(row['status'])}{_reason(row['failure_reason'])}</td>"
        f"<td>{e(row['amount'])}</td><td>{e(_who(row))}</td>"
        f'<td class="nowrap">{e(row["created_at"])}</td>'
        f'<td class="nowrap">{e(row["settled_at"])}</td>'
        "</tr>"
        for row in rows
    )
    return (
        '<h2>Recent transactions</h2><table><thead><tr><th scope="col">Bank reference</th>'
        '<th scope="col">Type</th><th scope="col">Status</th><th scope="col">Amount (THB)</th>'
        '<th scope="col">Details</th><th scope="col">Received</th><th scope="col">Settled</th>'
        f"</tr></thead><tbody>{body or _empty(7)}</tbody></table>"
    )


def _who(row: sqlite3.Row) -> str:
    if row["type"] == "qr_payment":
        refs = " / ".join(value for value in (row["ref1"], row["ref2"]) if value)
        return f"{row['payer_name']} paid biller {row['biller_id']} ({refs})"
    if row["payee_method"] == "promptpay":
        to = f"PromptPay {row['promptpay_id']}"
    else:
        to = f"bank {row['bank_code']} account {row['account_number']}"
    return f"{row['idempotency_key']} · {row['reference']} → {row['payee_name']}, {to}"


def _reason(reason: str) -> str:
    return f" ({e(reason)})" if reason else ""


def _callbacks_table(
    rows: Sequence[sqlite3.Row], attempts: Mapping[int, Sequence[sqlite3.Row]]
) -> str:
    body = "".join(
        "<tr>"
        f"<td><code>{e(row['event_id'])}</code></td><td>{e(row['type'])}</td>"
        f'<td class="nowrap"><code>{e(row["bank_reference"])}</code></td>'
        f"<td><code>{e(row['url'])}</code></td>"
        f"<td>{_state(row)}</td><td>{_attempt_list(attempts.get(row['id'], ()))}</td>"
        "</tr>"
        for row in rows
    )
    return (
        '<h2>Callbacks</h2><table><thead><tr><th scope="col">Event</th>'
        '<th scope="col">Type</th><th scope="col">Bank reference</th><th scope="col">URL</th>'
        '<th scope="col">State</th><th scope="col">Delivery attempts</th></tr></thead>'
        f"<tbody>{body or _empty(6)}</tbody></table>"
    )


def _state(callback: sqlite3.Row) -> str:
    if callback["state"] == "pending":
        when = iso(callback["next_attempt"])
        return f'pending, next attempt <span class="nowrap">{e(when)}</span>'
    return e(callback["state"])


def _attempt_list(attempts: Sequence[sqlite3.Row]) -> str:
    if not attempts:
        return "none yet"
    hidden = len(attempts) - ATTEMPTS_SHOWN
    note = f"<p>{hidden} earlier attempts not shown.</p>" if hidden > 0 else ""
    items = "".join(
        f'<li><span class="nowrap">{e(attempt["attempted_at"])}</span>: '
        f"{e(attempt['status_code'] if attempt['status_code'] is not None else attempt['error'])}"
        "</li>"
        for attempt in attempts[-ATTEMPTS_SHOWN:]
    )
    start = max(hidden, 0) + 1
    return f'{note}<ol start="{start}">{items}</ol>'


def _empty(columns: int) -> str:
    return f'<tr><td colspan="{columns}">Nothing yet.</td></tr>'
