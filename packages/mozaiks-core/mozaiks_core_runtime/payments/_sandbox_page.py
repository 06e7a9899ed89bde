"""The sandbox provider's local checkout page (self-contained HTML, no external assets)."""

from __future__ import annotations

import json
from html import escape

from mozaiks_core_runtime.payments.base import Checkout

__all__ = ["render_checkout_page"]

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sandbox checkout · {plan}</title>
<style>
  body {{ font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }}
  main {{ max-width: 26rem; margin: 4rem auto; background: #fff; border-radius: .75rem; padding: 2rem;
          box-shadow: 0 1px 4px rgba(0, 0, 0, .12); }}
  .badge {{ display: inline-block; background: #fff3cd; color: #7a5a00; border-radius: .25rem;
            padding: .1rem .5rem; font-size: .8rem; }}
  dl {{ display: grid; grid-template-columns: auto 1fr; gap: .4rem 1rem; }}
  dt {{ color: #666; }}
  button {{ font-size: 1rem; padding: .6rem 1.2rem; border-radius: .4rem; border: 0; cursor: pointer; }}
  #pay {{ background: #2f6fed; color: #fff; }}
  #cancel {{ background: transparent; color: #444; }}
  #message {{ color: #b00020; min-height: 1.2rem; }}
</style>
</head>
<body>
<main>
  <span class="badge">Sandbox · no real money moves</span>
  <h1>Subscribe to {plan}</h1>
  <dl>
    <dt>Plan</dt><dd>{plan}</dd>
    <dt>Account</dt><dd>{account}</dd>
    <dt>Checkout</dt><dd><code>{checkout_id}</code></dd>
  </dl>
  <p id="message" role="status"></p>
  <button id="pay" type="button">Pay (sandbox)</button>
  <button id="cancel" type="button">Cancel</button>
</main>
<script>
  const completeUrl = {complete_url};
  async function finish(action) {{
    for (const b of document.querySelectorAll("button")) b.disabled = true;
    try {{
      const response = await fetch(completeUrl, {{
        method: "POST",
        headers: {{"Content-Type": "application/json"}},
        body: JSON.stringify({{action}}),
      }});
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || response.statusText);
      window.location.assign(answer.redirect);
    }} catch (error) {{
      document.getElementById("message").textContent = String(error.message || error);
      for (const b of document.querySelectorAll("button")) b.disabled = false;
    }}
  }}
  document.getElementById("pay").addEventListener("click", () => finish("pay"));
  document.getElementById("cancel").addEventListener("click", () => finish("cancel"));
</script>
</body>
</html>
"""


def render_checkout_page(checkout: Checkout, *, complete_url: str, account: str) -> str:
    """Render the checkout page for ``checkout``.

    Args:
        checkout: The pending checkout.
        complete_url: Where the page POSTs ``{"action": "pay" | "cancel"}``.
        account: The buyer's e-mail (or id), shown on the page.

    Returns:
        The HTML document.
    """
    # json.dumps gives a JS string literal; "</" is escaped so the value cannot close the <script> element.
    url_literal = json.dumps(complete_url).replace("</", "<\\/")
    return _PAGE.format(
        plan=escape(checkout.plan_id),
        account=escape(account),
        checkout_id=escape(checkout.id),
        complete_url=url_literal,
    )
