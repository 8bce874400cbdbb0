/* The confirm step of a batch file declaration (shebao/declarations/web/upload.py).
 *
 * Fetches the draft's canonical content from the server, checks that its SHA-256 is the
 * digest the page shows, signs the exact text with the selected key (sign.js, loaded
 * first) and posts certificate and signature. The private key never leaves the browser.
 */
(function () {
  "use strict";

  var S = window.ShebaoSign;
  if (!S) { return; }

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

  /* A refusal that points elsewhere (the first receipt of a duplicate) gets a link. */
  function receiptLink(error, box) {
    if (error && error.data && error.data.next) {
      var link = document.createElement("a");
      link.href = error.data.next;
      link.textContent = "查看回执";
      box.appendChild(document.createTextNode(" "));
      box.appendChild(link);
    }
  }

  S.signingForm(
    {form: "sign-form", error: "sign-error", status: "sign-status", button: "sign-submit"},
    "提交失败，请刷新页面后重试",
    async function (page) {
      page.status("正在取得申报内容……");
      var content = await fetchContent(page.form.dataset.contentUrl);
      var digest = await S.sha256Hex(content);
      if (digest !== page.form.dataset.digest) {
        throw new S.SignError("取得的申报内容与页面显示的摘要不一致，未签名。请刷新页面后重试");
      }
      page.status("正在签名……");
      var signature = await S.signText(page.key, content);
      page.status("正在提交……");
      var result = await S.postJson(page.form.dataset.submitUrl, {
        certificate: page.certificate, signature: signature, content_digest: digest
      }, page.csrf, "提交失败");
      page.status("提交成功，正在打开回执……");
      window.location.assign(result.next);
    },
    receiptLink);
}());
