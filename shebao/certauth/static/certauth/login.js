/* Unit certificate login (shebao/certauth/views.py explains the protocol).
 *
 * Signs the server's one-time nonce with the selected key (sign.js, loaded first) and
 * posts certificate, nonce and signature. The private key never leaves the browser.
 */
(function () {
  "use strict";

  var form = document.getElementById("cert-login");
  if (!form || !window.ShebaoSign) { return; }
  var S = window.ShebaoSign;
  var certInput = document.getElementById("id_certificate");
  var keyInput = document.getElementById("id_key");
  var errorBox = document.getElementById("login-error");
  var statusBox = document.getElementById("login-status");
  var button = document.getElementById("login-submit");
  var inputs = {certificate: certInput, key: keyInput};

  function showError(error) {
    statusBox.textContent = "";
    errorBox.textContent = error instanceof S.SignError ? error.message : "登录失败，请刷新页面后重试";
    errorBox.hidden = false;
    if (error && inputs[error.field]) { inputs[error.field].setAttribute("aria-invalid", "true"); }
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.hidden = true;
    certInput.removeAttribute("aria-invalid");
    keyInput.removeAttribute("aria-invalid");
  }

  function csrfToken() {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  async function login() {
    if (!certInput.files.length) { throw new S.SignError("请选择证书文件（cert.pem）", "certificate"); }
    if (!keyInput.files.length) { throw new S.SignError("请选择私钥文件（key.pem）", "key"); }
    statusBox.textContent = "正在读取证书和私钥……";
    var certificate = await S.readText(certInput.files[0]);
    S.checkCertificate(certificate);
    var key = await S.importKey(S.keyBytes(await S.readText(keyInput.files[0])));
    statusBox.textContent = "正在签名……";
    var challenge = await S.postJson(form.dataset.challengeUrl, {}, csrfToken(), "登录失败");
    var signature = await S.signText(key, challenge.nonce);
    statusBox.textContent = "正在验证证书……";
    var result = await S.postJson(form.dataset.verifyUrl, {
      certificate: certificate, nonce: challenge.nonce, signature: signature,
      next: form.dataset.next
    }, csrfToken(), "登录失败");
    statusBox.textContent = "登录成功，正在进入单位首页……";
    window.location.assign(result.next);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    button.disabled = true;
    login().catch(function (error) {
      button.disabled = false;
      showError(error);
    });
  });
}());
