/* Unit certificate login (shebao/certauth/views.py explains the protocol).
 *
 * Reads the selected certificate (PEM) and PKCS#8 private key (PEM) with FileReader,
 * imports the key into WebCrypto (non-extractable), signs the server's one-time nonce
 * with ECDSA P-256 / SHA-256, converts WebCrypto's IEEE P1363 signature (r || s) to DER,
 * and posts certificate, nonce and signature. The private key never leaves the browser.
 */
(function () {
  "use strict";

  var form = document.getElementById("cert-login");
  if (!form) { return; }
  var certInput = document.getElementById("id_certificate");
  var keyInput = document.getElementById("id_key");
  var errorBox = document.getElementById("login-error");
  var statusBox = document.getElementById("login-status");
  var button = document.getElementById("login-submit");

  function LoginError(message) { this.message = message; }

  function showError(message) {
    statusBox.textContent = "";
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.hidden = true;
    certInput.removeAttribute("aria-invalid");
    keyInput.removeAttribute("aria-invalid");
  }

  function readText(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result)); };
      reader.onerror = function () { reject(new LoginError("无法读取所选文件，请重新选择")); };
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
      certInput.setAttribute("aria-invalid", "true");
      throw new LoginError("所选证书文件不是 PEM 格式的证书，请选择 cert.pem");
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
      keyInput.setAttribute("aria-invalid", "true");
      throw new LoginError(problem || "所选私钥文件不是 PEM 格式的 PKCS#8 私钥，请选择 key.pem");
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

  function csrfToken() {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  async function postJson(url, body) {
    var response;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrfToken()},
        body: JSON.stringify(body)
      });
    } catch (e) {
      throw new LoginError("网络连接失败，请检查网络后重试");
    }
    var data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) {
      throw new LoginError(data.message || ("登录失败（" + response.status + "），请刷新页面后重试"));
    }
    return data;
  }

  async function importKey(bytes) {
    try {
      return await window.crypto.subtle.importKey(
        "pkcs8", bytes, {name: "ECDSA", namedCurve: "P-256"}, false, ["sign"]);
    } catch (e) {
      keyInput.setAttribute("aria-invalid", "true");
      throw new LoginError("无法使用所选私钥：应为 ECDSA P-256 私钥（PKCS#8 格式）");
    }
  }

  async function login() {
    if (!window.crypto || !window.crypto.subtle) {
      throw new LoginError("当前浏览器不支持数字签名（Web Crypto），请使用新版浏览器并通过 HTTPS 访问本系统");
    }
    if (!certInput.files.length) {
      certInput.setAttribute("aria-invalid", "true");
      throw new LoginError("请选择证书文件（cert.pem）");
    }
    if (!keyInput.files.length) {
      keyInput.setAttribute("aria-invalid", "true");
      throw new LoginError("请选择私钥文件（key.pem）");
    }
    statusBox.textContent = "正在读取证书和私钥……";
    var certificate = await readText(certInput.files[0]);
    checkCertificate(certificate);
    var key = await importKey(keyBytes(await readText(keyInput.files[0])));
    statusBox.textContent = "正在签名……";
    var challenge = await postJson(form.dataset.challengeUrl, {});
    var signature = new Uint8Array(await window.crypto.subtle.sign(
      {name: "ECDSA", hash: "SHA-256"}, key, new TextEncoder().encode(challenge.nonce)));
    statusBox.textContent = "正在验证证书……";
    var result = await postJson(form.dataset.verifyUrl, {
      certificate: certificate, nonce: challenge.nonce,
      signature: base64(p1363ToDer(signature)), next: form.dataset.next
    });
    statusBox.textContent = "登录成功，正在进入单位首页……";
    window.location.assign(result.next);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    button.disabled = true;
    login().catch(function (error) {
      button.disabled = false;
      showError(error instanceof LoginError ? error.message : "登录失败，请刷新页面后重试");
    });
  });
}());
