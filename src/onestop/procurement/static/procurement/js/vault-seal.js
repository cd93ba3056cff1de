// OneStop electronic tender vault: seal a bid in the bidder's own browser (P-13).
//
// The bid's plaintext (price and the other sealed fields) never leaves the browser: it is sealed
// to the tender's vault public key with WebCrypto only, and the server receives the envelope.
// The scheme is the one in src/onestop/procurement/domain/vault.py (`vault.seal` is the Python
// reference, `vault.open_sealed` opens):
//
//   z    = ECDH(ephemeral P-256 private key, vault public point)
//   key  = HKDF-SHA256(z, salt = epk || vault point, info = "onestop-vault-v1|" + context, 32 B)
//   ct   = AES-256-GCM(key, iv = 12 random bytes, plaintext, additionalData = context)
//
//   envelope = {"v":1,"alg":"ECDH-ES-P256+HKDF-SHA256+A256GCM","kid":…,"epk":…,"iv":…,"ct":…}
//
// (exactly those keys in that order, no spaces; byte values in base64url without padding; kid =
// the first 32 hex digits of SHA-256 of the vault's 65-byte uncompressed point; strings UTF-8).
//
// API (no dependencies, no build step; load with <script src="…/vault-seal.js" defer>):
//
//   OneStopVault.seal(recipientB64url, plaintextString, context) -> Promise<envelope JSON string>
//   OneStopVault.sha256Hex(string) -> Promise<hex SHA-256 of the string's UTF-8 bytes>
//
// Progressive forms. A form opts in with these attributes:
//
//   <form data-vault-seal                    the form to seal (a plain form, not hx-post)
//         data-vault-key="<b64url point>"    the tender's vault public key (65-byte point)
//         data-vault-context="bid|T|B">      the envelope's context: tender and bidder
//     <input name="price" data-sealed>       every input/select/textarea marked data-sealed is
//     <textarea name="note" data-sealed>     sealed; these are the only source of the plaintext
//     <input type="hidden" name="sealed_bid">   receives the envelope
//     <span data-vault-digest></span>        optional: shows the envelope's SHA-256 (hex), the
//                                            figure the receipt will carry
//     <p data-vault-error data-unavailable="…" data-failed="…"></p>
//                                            optional: where errors are shown; its data-unavailable
//                                            and data-failed attributes may carry the page's own
//                                            wording (otherwise Thai or English by <html lang>)
//
// On submit the script builds the plaintext as JSON.stringify of {name: value} over the
// data-sealed fields, keys sorted alphabetically (values are strings; a checkbox or radio counts
// only when checked, a <select multiple> gives a list of strings), seals it, writes the envelope
// into sealed_bid, clears the data-sealed fields and takes them out of the submission (disabled),
// shows the digest and then submits the form with form.submit(). Only the envelope and the
// form's other, unsealed fields (CSRF token and the like) are sent.
//
// If WebCrypto is not available (an old browser, or a page that is not a secure context: not
// HTTPS and not localhost), or sealing fails, the error is shown and nothing is submitted.
//
// (An earlier design read the plaintext from one field named by data-vault-plaintext-from; that
// attribute is not used: the data-sealed fields are the plaintext.)
(function () {
  "use strict";

  var VERSION = 1;
  var ALGORITHM = "ECDH-ES-P256+HKDF-SHA256+A256GCM";
  var INFO_PREFIX = "onestop-vault-v1|";
  var POINT_BYTES = 65;
  var IV_BYTES = 12;

  var encoder = new TextEncoder();

  // --- bytes ---------------------------------------------------------------------------------

  function b64url(bytes) {
    var view = new Uint8Array(bytes);
    var binary = "";
    for (var i = 0; i < view.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function unb64url(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) {
      throw new Error("not base64url");
    }
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "====".slice(base64.length % 4 || 4);
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function concat(a, b) {
    var joined = new Uint8Array(a.length + b.length);
    joined.set(a, 0);
    joined.set(b, a.length);
    return joined;
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (byte) {
      return byte.toString(16).padStart(2, "0");
    }).join("");
  }

  // --- crypto --------------------------------------------------------------------------------

  // WebCrypto's subtle API exists only in secure contexts (HTTPS, localhost).
  function subtle() {
    var available = window.isSecureContext !== false && window.crypto && window.crypto.subtle;
    return available ? window.crypto.subtle : null;
  }

  function requireSubtle() {
    var api = subtle();
    if (!api) {
      throw new Error("WebCrypto (crypto.subtle) is not available: the page must be served " +
        "over HTTPS (or localhost) in a current browser.");
    }
    return api;
  }

  async function sha256Hex(text) {
    return hex(await requireSubtle().digest("SHA-256", encoder.encode(String(text))));
  }

  async function seal(recipientB64url, plaintextString, context) {
    var api = requireSubtle();
    if (typeof context !== "string" || context === "") {
      throw new Error("A vault context (tender and bidder) is required.");
    }
    var recipient = unb64url(recipientB64url);
    if (recipient.length !== POINT_BYTES || recipient[0] !== 4) {
      throw new Error("The vault key must be a 65-byte uncompressed P-256 point.");
    }
    var contextBytes = encoder.encode(context);
    var curve = { name: "ECDH", namedCurve: "P-256" };

    // The vault's public key (importKey rejects a point that is not on the curve).
    var vaultKey = await api.importKey("raw", recipient, curve, false, []);

    // A fresh ephemeral key pair for this one envelope; its private key is not extractable
    // and is dropped when this function returns.
    var ephemeral = await api.generateKey(curve, false, ["deriveBits"]);
    var epk = new Uint8Array(await api.exportKey("raw", ephemeral.publicKey));

    // z = ECDH shared secret (the 32-byte x coordinate), then HKDF-SHA256 to the AES key.
    var shared = await api.deriveBits({ name: "ECDH", public: vaultKey }, ephemeral.privateKey, 256);
    var hkdfKey = await api.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
    var aesKey = await api.deriveKey(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: concat(epk, recipient),
        info: concat(encoder.encode(INFO_PREFIX), contextBytes),
      },
      hkdfKey,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt"]
    );

    // AES-256-GCM with the context as additional data: the bid opens only for its own tender
    // and bidder. WebCrypto returns the ciphertext with the 16-byte tag appended, as Python does.
    var iv = window.crypto.getRandomValues(new Uint8Array(IV_BYTES));
    var ct = await api.encrypt(
      { name: "AES-GCM", iv: iv, additionalData: contextBytes, tagLength: 128 },
      aesKey,
      encoder.encode(String(plaintextString))
    );

    var kid = hex(await api.digest("SHA-256", recipient)).slice(0, 32);
    // Insertion order is the key order: the same bytes as Python's
    // json.dumps({...}, separators=(",", ":")) (every value is ASCII).
    return JSON.stringify({
      v: VERSION,
      alg: ALGORITHM,
      kid: kid,
      epk: b64url(epk),
      iv: b64url(iv),
      ct: b64url(ct),
    });
  }

  window.OneStopVault = Object.freeze({ seal: seal, sha256Hex: sha256Hex });

  // --- progressive forms ---------------------------------------------------------------------

  var MESSAGES = {
    th: {
      unavailable: "เบราว์เซอร์นี้ปิดผนึกซองเสนอราคาไม่ได้ (ต้องใช้ WebCrypto ผ่าน HTTPS) " +
        "จึงยังไม่ได้ส่งข้อเสนอ",
      failed: "ปิดผนึกซองเสนอราคาไม่สำเร็จ จึงยังไม่ได้ส่งข้อเสนอ: ",
    },
    en: {
      unavailable: "This browser cannot seal the bid (WebCrypto over HTTPS is required); " +
        "the bid was not sent.",
      failed: "The bid could not be sealed, so it was not sent: ",
    },
  };

  function message(form, kind) {
    var box = form.querySelector("[data-vault-error]");
    var own = box && box.getAttribute("data-" + kind);
    if (own) { return own; }
    var lang = (document.documentElement.lang || "th").toLowerCase().startsWith("th") ? "th" : "en";
    return MESSAGES[lang][kind];
  }

  function showError(form, text) {
    var box = form.querySelector("[data-vault-error]");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    } else {
      console.error("OneStopVault:", text);
    }
  }

  function clearError(form) {
    var box = form.querySelector("[data-vault-error]");
    if (box) { box.textContent = ""; }
  }

  function sealedFields(form) {
    return Array.from(form.querySelectorAll("input[data-sealed], select[data-sealed], " +
      "textarea[data-sealed]"));
  }

  // {name: value} over the data-sealed fields, keys sorted, as JSON.
  function plaintextOf(form) {
    var values = {};
    sealedFields(form).forEach(function (field) {
      if (!field.name) { return; }
      var type = (field.type || "").toLowerCase();
      if (type === "radio") {
        if (field.checked) { values[field.name] = field.value; }
        else if (!(field.name in values)) { values[field.name] = ""; }
      } else if (type === "checkbox") {
        values[field.name] = field.checked ? field.value : "";
      } else if (field.tagName === "SELECT" && field.multiple) {
        values[field.name] = Array.from(field.selectedOptions, function (o) { return o.value; });
      } else {
        values[field.name] = field.value;
      }
    });
    var sorted = {};
    Object.keys(values).sort().forEach(function (name) { sorted[name] = values[name]; });
    return JSON.stringify(sorted);
  }

  // Clear the plaintext and keep it out of the submission: disabled controls are not sent.
  function clearSealedFields(form) {
    sealedFields(form).forEach(function (field) {
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        field.checked = false;
      } else if (field.tagName === "SELECT") {
        Array.from(field.options).forEach(function (option) { option.selected = false; });
      } else {
        field.value = "";
      }
      field.disabled = true;
      field.setAttribute("data-vault-cleared", "");
    });
  }

  var busy = new WeakSet();

  async function sealAndSubmit(form) {
    clearError(form);
    if (!subtle()) {
      showError(form, message(form, "unavailable"));
      return;
    }
    busy.add(form);
    try {
      var key = form.getAttribute("data-vault-key");
      var context = form.getAttribute("data-vault-context");
      var target = form.querySelector('input[name="sealed_bid"]');
      if (!key || !context || !target) {
        throw new Error("the form needs data-vault-key, data-vault-context and a sealed_bid input");
      }
      var envelope = await seal(key, plaintextOf(form), context);
      var digest = await sha256Hex(envelope);
      target.value = envelope;
      clearSealedFields(form);
      form.querySelectorAll("[data-vault-digest]").forEach(function (element) {
        element.textContent = digest;
      });
      // form.submit() does not fire "submit" again, and it skips validation, which the
      // browser has already done before the first submit event. (Called from the prototype:
      // a control named "submit" would hide the form's own method.)
      HTMLFormElement.prototype.submit.call(form);
    } catch (error) {
      showError(form, message(form, "failed") + (error && error.message ? error.message : error));
    } finally {
      busy.delete(form);
    }
  }

  // One listener on the document covers the forms in the page and any added later. It runs
  // after the form's own submit listeners, and leaves alone a submit they have cancelled.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-vault-seal")) { return; }
    if (event.defaultPrevented) { return; }
    // Never let the plaintext go: the sealed submission is made by the script.
    event.preventDefault();
    if (busy.has(form)) { return; }  // a second click while sealing
    sealAndSubmit(form);
  });

  // Back/forward cache: a page restored after submitting has its sealed fields cleared and
  // disabled; give them back to the bidder (empty) so a new bid can be entered.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("[data-vault-cleared]").forEach(function (field) {
      field.disabled = false;
      field.removeAttribute("data-vault-cleared");
    });
    document.querySelectorAll("form[data-vault-seal] input[name='sealed_bid']").forEach(
      function (target) { target.value = ""; }
    );
  });

  // Tell the bidder at once, before any price is typed, when this browser cannot seal.
  function init() {
    if (subtle()) { return; }
    document.querySelectorAll("form[data-vault-seal]").forEach(function (form) {
      showError(form, message(form, "unavailable"));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
