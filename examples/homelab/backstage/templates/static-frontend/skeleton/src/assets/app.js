// A tiny client-side router: nginx serves index.html for every unknown path (SPA fallback).
const appName = "${{ values.name }}";
const routes = { "/": "Home", "/about": "About" };

function render() {
  const page = routes[location.pathname] ?? "Not found";
  document.getElementById("route").textContent = `${appName}: ${page}`;
  document.title = `${page} · ${appName}`;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route]");
  if (!link) return;
  event.preventDefault();
  history.pushState({}, "", link.getAttribute("href"));
  render();
});
window.addEventListener("popstate", render);
render();
