// Keeps a PDF's render status up to date without reloading the page: polls the status URL every
// two seconds while the job is queued or rendering, and updates the aria-live region in place.
const POLL_MS = 2000;
const ACTIVE = new Set(["queued", "rendering"]);

function show(element, visible) {
  if (element) element.hidden = !visible;
}

function update(root, data) {
  const label = root.querySelector("[data-render-label]");
  if (label && label.textContent !== data.status_label) label.textContent = data.status_label;
  const progress = root.querySelector("[data-render-progress]");
  if (progress) {
    progress.textContent = `– ${data.progress_done} of ${data.progress_total} appendices done`;
    show(progress, ACTIVE.has(data.status));
  }
  const errorText = root.querySelector("[data-render-error]");
  if (errorText) errorText.textContent = data.error || "";
  show(root.querySelector("[data-render-error-box]"), data.status === "failed");
  const download = root.querySelector("[data-render-download]");
  const link = root.querySelector("[data-render-download-link]");
  if (link && data.download_url) link.href = data.download_url;
  show(download, Boolean(data.download_url));
  show(root.querySelector("[data-render-refresh]"), false);
  const retry = root.querySelector("[data-render-retry]");
  if (retry) {
    show(retry, data.can_retry);
    const button = retry.querySelector("button");
    if (button) button.textContent = data.status === "failed" ? "Try again" : data.status === "ready" ? "Render again" : "Render the PDF";
  }
}

async function poll(root) {
  const url = root.dataset.statusUrl;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    update(root, data);
    if (ACTIVE.has(data.status)) window.setTimeout(() => poll(root), POLL_MS);
  } catch (error) {
    // A dropped connection: try again later rather than giving up on the page.
    window.setTimeout(() => poll(root), POLL_MS * 3);
  }
}

for (const root of document.querySelectorAll('[data-module="scrutiny-render-status"]')) {
  poll(root);
}
