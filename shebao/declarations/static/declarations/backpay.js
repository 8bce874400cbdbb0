/* 补缴申报 (shebao/declarations/web/backpay.py): both buttons post the form in the
 * background, so that the evidence files already chosen stay chosen when the page has
 * errors or shows a quote. “试算” sends no files. The server answers with the whole page;
 * the typed fields, the quote and the evidence errors are taken from it. A redirect (the
 * draft was created) is followed. Without this script the form posts as usual.
 */
(function () {
  "use strict";

  var form = document.getElementById("backpay-form");
  if (!form || !window.fetch || !window.FormData || !window.DOMParser) { return; }
  var busy = false;

  function swap(doc, id) {
    var fresh = doc.getElementById(id);
    var old = document.getElementById(id);
    if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
    return Boolean(fresh);
  }

  function focusFirstProblem() {
    var target = document.querySelector("#backpay-form .form-errors, #backpay-form .has-error input, " +
                                        "#backpay-form .has-error textarea");
    if (!target) { target = document.getElementById("quote-h"); }
    if (target) {
      if (!target.matches("input, textarea")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
      target.scrollIntoView({block: "center"});
    }
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.name) { return; }  // an old browser: post as usual
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var data = new FormData(form);
    data.set(button.name, button.value);
    if (button.value === "quote") { data.delete("evidence"); }
    var label = button.textContent;
    button.disabled = true;
    button.textContent = button.value === "quote" ? "正在试算……" : "正在保存……";
    // form.action would be the buttons named "action": read the attribute.
    fetch(form.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin"})
      .then(function (response) {
        if (response.redirected) {
          window.location.assign(response.url);
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (!swap(doc, "bp-fields")) {  // not the form page (an error page): post as usual
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = button.name;
          hidden.value = button.value;
          form.appendChild(hidden);
          form.submit();
          return;
        }
        swap(doc, "bp-quote");
        swap(doc, "evidence-errors");
        var field = document.getElementById("evidence-field");
        var errors = document.getElementById("evidence-errors");
        if (field && errors) { field.classList.toggle("has-error", errors.children.length > 0); }
        focusFirstProblem();
      })
      .catch(function () {
        window.alert("网络连接失败，请检查网络后重试");
      })
      .finally(function () {
        busy = false;
        button.disabled = false;
        button.textContent = label;
      });
  });
}());
