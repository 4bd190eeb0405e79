// Print buttons: any element with data-print prints the page. A file of its own, because the
// Content-Security-Policy allows no inline script (onclick="print()" is one).
document.addEventListener("click", function (e) {
  const el = e.target.closest("[data-print]");
  if (!el) return;
  e.preventDefault();
  window.print();
});
