// Buttons marked data-print print the page (CSP allows no inline handlers).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
