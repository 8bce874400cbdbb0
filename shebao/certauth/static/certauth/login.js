/* Unit certificate login (shebao/certauth/views.py explains the protocol).
 *
 * Signs the server's one-time nonce with the selected key (sign.js, loaded first) and
 * posts certificate, nonce and signature. The private key never leaves the browser.
 */
(function () {
  "use strict";

  var S = window.ShebaoSign;
  if (!S) { return; }
  S.signingForm(
    {form: "cert-login", error: "login-error", status: "login-status", button: "login-submit"},
    "登录失败，请刷新页面后重试",
    async function (page) {
      page.status("正在签名……");
      var challenge = await S.postJson(page.form.dataset.challengeUrl, {}, page.csrf, "登录失败");
      var signature = await S.signText(page.key, challenge.nonce);
      page.status("正在验证证书……");
      var result = await S.postJson(page.form.dataset.verifyUrl, {
        certificate: page.certificate, nonce: challenge.nonce, signature: signature,
        next: page.form.dataset.next
      }, page.csrf, "登录失败");
      page.status("登录成功，正在进入单位首页……");
      window.location.assign(result.next);
    });
}());
