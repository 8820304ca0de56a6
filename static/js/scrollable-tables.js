// A table too wide for the screen scrolls inside its `.app-table-wrap`; keyboard users must be able to
// scroll it too (WCAG 2.1.1), so an overflowing wrapper becomes a focusable, named region.
function label(wrap) {
  const caption = wrap.querySelector("caption");
  const text = caption ? caption.textContent.trim().replace(/\s+/g, " ") : "";
  return text ? `${text} (scrolls sideways)` : "Table (scrolls sideways)";
}

function update() {
  for (const wrap of document.querySelectorAll(".app-table-wrap")) {
    if (wrap.scrollWidth > wrap.clientWidth) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", label(wrap));
    } else if (wrap.getAttribute("role") === "region") {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
    }
  }
}

update();
window.addEventListener("resize", update);
