/* Signing with the unit certificate's key in the browser, shared by the login page
 * (login.js) and the declaration confirm page (declarations/confirm.js).
 *
 * Reads the selected certificate (PEM) and PKCS#8 private key (PEM) with FileReader,
 * imports the key into WebCrypto (non-extractable), signs UTF-8 text with ECDSA P-256 /
 * SHA-256 and converts WebCrypto's IEEE P1363 signature (r || s) to DER, Base64-encoded:
 * the one format the server verifies. The private key never leaves the browser.
 *
 * window.ShebaoSign = {SignError, readText, checkCertificate, keyBytes, importKey,
 *                      signText, sha256Hex, postJson}
 * A SignError carries a Chinese message and, when a chosen file is at fault, `field`
 * ("certificate" or "key") so the page can mark that input.
 */
(function () {
  "use strict";

  function SignError(message, field) { this.message = message; this.field = field || ""; }

  function readText(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result)); };
      reader.onerror = function () { reject(new SignError("无法读取所选文件，请重新选择")); };
      reader.readAsText(file);
    });
  }

  function pemBytes(text, label) {
    var pattern = new RegExp("-----BEGIN " + label + "-----([\\s\\S]+?)-----END " + label + "-----");
    var match = pattern.exec(text);
    if (!match) { return null; }
    var binary = atob(match[1].replace(/\s+/g, ""));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function checkCertificate(text) {
    if (text.indexOf("-----BEGIN CERTIFICATE-----") < 0) {
      throw new SignError("所选证书文件不是 PEM 格式的证书，请选择 cert.pem", "certificate");
    }
  }

  function keyBytes(text) {
    var problem = null;
    if (text.indexOf("ENCRYPTED PRIVATE KEY") >= 0) {
      problem = "所选私钥文件已加密，请选择未加密的 PKCS#8 私钥文件（key.pem）";
    } else if (text.indexOf("BEGIN EC PRIVATE KEY") >= 0) {
      problem = "所选私钥为 SEC1 格式，请选择 PKCS#8 格式（以“-----BEGIN PRIVATE KEY-----”开头）的私钥文件";
    }
    var bytes = problem ? null : pemBytes(text, "PRIVATE KEY");
    if (!bytes) {
      throw new SignError(problem || "所选私钥文件不是 PEM 格式的 PKCS#8 私钥，请选择 key.pem", "key");
    }
    return bytes;
  }

  /* DER length octets (short form below 128, long form above). */
  function derLength(n) {
    if (n < 128) { return [n]; }
    var out = [];
    while (n > 0) { out.unshift(n & 0xff); n = n >> 8; }
    return [0x80 | out.length].concat(out);
  }

  /* An unsigned big-endian integer as a DER INTEGER: minimal, positive. */
  function derInteger(bytes) {
    var i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) { i++; }
    var value = Array.prototype.slice.call(bytes, i);
    if (value[0] & 0x80) { value.unshift(0); }
    return [0x02].concat(derLength(value.length), value);
  }

  /* WebCrypto's ECDSA signature r || s (IEEE P1363) as DER SEQUENCE { r, s }. */
  function p1363ToDer(signature) {
    var half = signature.length / 2;
    var body = derInteger(signature.subarray(0, half)).concat(derInteger(signature.subarray(half)));
    return new Uint8Array([0x30].concat(derLength(body.length), body));
  }

  function base64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary);
  }

  function requireCrypto() {
    if (!window.crypto || !window.crypto.subtle) {
      throw new SignError("当前浏览器不支持数字签名（Web Crypto），请使用新版浏览器并通过 HTTPS 访问本系统");
    }
  }

  async function importKey(bytes) {
    requireCrypto();
    try {
      return await window.crypto.subtle.importKey(
        "pkcs8", bytes, {name: "ECDSA", namedCurve: "P-256"}, false, ["sign"]);
    } catch (e) {
      throw new SignError("无法使用所选私钥：应为 ECDSA P-256 私钥（PKCS#8 格式）", "key");
    }
  }

  /* The Base64 DER signature of the UTF-8 bytes of `text`. */
  async function signText(key, text) {
    var signature = new Uint8Array(await window.crypto.subtle.sign(
      {name: "ECDSA", hash: "SHA-256"}, key, new TextEncoder().encode(text)));
    return base64(p1363ToDer(signature));
  }

  /* Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
  async function sha256Hex(text) {
    requireCrypto();
    var digest = new Uint8Array(await window.crypto.subtle.digest(
      "SHA-256", new TextEncoder().encode(text)));
    return Array.prototype.map.call(digest, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  /* POST JSON with the CSRF token; the parsed answer, or a SignError with the server's
   * Chinese message (`failure` when the server gave none). */
  async function postJson(url, body, csrfToken, failure) {
    var response;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrfToken},
        body: JSON.stringify(body)
      });
    } catch (e) {
      throw new SignError("网络连接失败，请检查网络后重试");
    }
    var data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) {
      var error = new SignError(data.message || (failure + "（" + response.status + "），请刷新页面后重试"));
      error.data = data;
      throw error;
    }
    return data;
  }

  /* The page glue both signing pages share: the two file inputs, the status line, the
   * error box (with aria-invalid on the field at fault) and the submit button. `run`
   * does the page's own work with the selected certificate text and imported key;
   * `decorate(error, box)` may add to the error shown (e.g. a link). */
  function signingForm(ids, fallback, run, decorate) {
    var form = document.getElementById(ids.form);
    if (!form) { return; }
    var inputs = {certificate: document.getElementById("id_certificate"),
                  key: document.getElementById("id_key")};
    var errorBox = document.getElementById(ids.error);
    var statusBox = document.getElementById(ids.status);
    var button = document.getElementById(ids.button);

    function showError(error) {
      statusBox.textContent = "";
      errorBox.textContent = error instanceof SignError ? error.message : fallback;
      if (decorate) { decorate(error, errorBox); }
      errorBox.hidden = false;
      if (error && inputs[error.field]) { inputs[error.field].setAttribute("aria-invalid", "true"); }
    }

    function clearError() {
      errorBox.textContent = "";
      errorBox.hidden = true;
      inputs.certificate.removeAttribute("aria-invalid");
      inputs.key.removeAttribute("aria-invalid");
    }

    async function start() {
      if (!inputs.certificate.files.length) {
        throw new SignError("请选择证书文件（cert.pem）", "certificate");
      }
      if (!inputs.key.files.length) { throw new SignError("请选择私钥文件（key.pem）", "key"); }
      statusBox.textContent = "正在读取证书和私钥……";
      var certificate = await readText(inputs.certificate.files[0]);
      checkCertificate(certificate);
      var key = await importKey(keyBytes(await readText(inputs.key.files[0])));
      var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      await run({form: form, certificate: certificate, key: key, csrf: csrf,
                 status: function (text) { statusBox.textContent = text; }});
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearError();
      button.disabled = true;
      start().catch(function (error) {
        button.disabled = false;
        showError(error);
      });
    });
  }

  window.ShebaoSign = {
    SignError: SignError, readText: readText, checkCertificate: checkCertificate,
    keyBytes: keyBytes, importKey: importKey, signText: signText, sha256Hex: sha256Hex,
    postJson: postJson, signingForm: signingForm
  };
}());
