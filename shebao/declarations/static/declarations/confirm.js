/* The confirm step of a batch file declaration (shebao/declarations/upload_views.py).
 *
 * Fetches the draft's canonical content from the server, checks that its SHA-256 is the
 * digest the page shows, signs the exact text with the selected key (sign.js, loaded
 * first) and posts certificate and signature. The private key never leaves the browser.
 */
(function () {
  "use strict";

  var form = document.getElementById("sign-form");
  if (!form || !window.ShebaoSign) { return; }
  var S = window.ShebaoSign;
  var certInput = document.getElementById("id_certificate");
  var keyInput = document.getElementById("id_key");
  var errorBox = document.getElementById("sign-error");
  var statusBox = document.getElementById("sign-status");
  var button = document.getElementById("sign-submit");
  var inputs = {certificate: certInput, key: keyInput};

  function showError(error) {
    statusBox.textContent = "";
    errorBox.textContent = error instanceof S.SignError ? error.message : "提交失败，请刷新页面后重试";
    if (error && error.data && error.data.next) {
      var link = document.createElement("a");
      link.href = error.data.next;
      link.textContent = "查看回执";
      errorBox.appendChild(document.createTextNode(" "));
      errorBox.appendChild(link);
    }
    errorBox.hidden = false;
    if (error && inputs[error.field]) { inputs[error.field].setAttribute("aria-invalid", "true"); }
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.hidden = true;
    certInput.removeAttribute("aria-invalid");
    keyInput.removeAttribute("aria-invalid");
  }

  async function fetchContent(url) {
    var response;
    try {
      response = await fetch(url, {credentials: "same-origin", headers: {"Accept": "text/plain"}});
    } catch (e) {
      throw new S.SignError("网络连接失败，请检查网络后重试");
    }
    if (!response.ok) {
      throw new S.SignError("无法取得申报内容（" + response.status + "），请刷新页面后重试");
    }
    return await response.text();
  }

  async function signAndSubmit() {
    if (!certInput.files.length) { throw new S.SignError("请选择证书文件（cert.pem）", "certificate"); }
    if (!keyInput.files.length) { throw new S.SignError("请选择私钥文件（key.pem）", "key"); }
    statusBox.textContent = "正在读取证书和私钥……";
    var certificate = await S.readText(certInput.files[0]);
    S.checkCertificate(certificate);
    var key = await S.importKey(S.keyBytes(await S.readText(keyInput.files[0])));
    statusBox.textContent = "正在取得申报内容……";
    var content = await fetchContent(form.dataset.contentUrl);
    var digest = await S.sha256Hex(content);
    if (digest !== form.dataset.digest) {
      throw new S.SignError("取得的申报内容与页面显示的摘要不一致，未签名。请刷新页面后重试");
    }
    statusBox.textContent = "正在签名……";
    var signature = await S.signText(key, content);
    statusBox.textContent = "正在提交……";
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var result = await S.postJson(form.dataset.submitUrl, {
      certificate: certificate, signature: signature, content_digest: digest
    }, token, "提交失败");
    statusBox.textContent = "提交成功，正在打开回执……";
    window.location.assign(result.next);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    button.disabled = true;
    signAndSubmit().catch(function (error) {
      button.disabled = false;
      showError(error);
    });
  });
}());
