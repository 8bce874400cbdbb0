// The 打印密码函 button (CSP allows no inline handlers).
document.getElementById("print-letter")?.addEventListener("click", () => window.print());
