import { escapeXml, stringLiteral } from "../../text.js";

/*
 * Text templates of the static-frontend preset. Only the port (an integer) reaches nginx.conf; the
 * name and description reach HTML through escapeXml and JavaScript through a JSON string literal.
 */

const SECURITY_HEADERS = [
  `add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'" always;`,
  `add_header X-Content-Type-Options "nosniff" always;`,
  `add_header X-Frame-Options "DENY" always;`,
  `add_header Referrer-Policy "strict-origin-when-cross-origin" always;`,
  `add_header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=()" always;`,
  `add_header Cross-Origin-Opener-Policy "same-origin" always;`,
];

/** nginx drops inherited add_header directives as soon as a location has its own, so each repeats them. */
function headers(indent: string, cacheControl: string | undefined): string {
  const all = cacheControl
    ? [...SECURITY_HEADERS, `add_header Cache-Control "${cacheControl}" always;`]
    : SECURITY_HEADERS;
  return all.map((h) => `${indent}${h}`).join("\n");
}

export const nginxConf = (
  port: number,
) => `# Hardened nginx for a single-page app. Runs as a non-root user: listens on an unprivileged port and
# keeps its pid and temp files in /tmp. Started as: nginx -p /usr/share/nginx/ -c /etc/nginx/nginx.conf
worker_processes auto;
pid /tmp/nginx.pid;
error_log stderr warn;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    charset utf-8;

    access_log /dev/stdout;
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;

    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    client_max_body_size 16k;

    gzip on;
    gzip_vary on;
    gzip_min_length 1024;
    gzip_types text/css application/javascript application/json image/svg+xml text/plain;

    # Only an asset that exists may be cached for a year. A 404 (a stale or mistyped name) must not
    # be: a browser or CDN would keep serving the error after the file is deployed.
    map $status $asset_cache_control {
        200     "public, max-age=31536000, immutable";
        206     "public, max-age=31536000, immutable";
        304     "public, max-age=31536000, immutable";
        default "no-store";
    }

    server {
        listen ${port};
        server_name _;
        # Relative to the prefix (-p): /usr/share/nginx/html in the image.
        root html;
        index index.html;
        # Behind the gateway the Host and scheme differ; keep redirects relative.
        absolute_redirect off;

        location = /healthz {
            access_log off;
            default_type text/plain;
            return 200 "ok\\n";
        }

        location = /readyz {
            access_log off;
            default_type text/plain;
            return 200 "ok\\n";
        }

        # Content-hashed by the build: safe to cache forever. A missing asset is a 404, not the app,
        # and is not cached ($asset_cache_control above).
        location /assets/ {
            try_files $uri =404;
${headers("            ", "$asset_cache_control")}
        }

        # The entry point must always be revalidated so a deploy is picked up on the next load.
        location = /index.html {
${headers("            ", "no-cache")}
        }

        # Single-page app: unknown paths are client-side routes, served by index.html.
        location / {
            try_files $uri $uri/ /index.html;
${headers("            ", "no-cache")}
        }
    }
}
`;

export const indexHtml = (name: string, description: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="description" content="${escapeXml(description)}">
    <title>${escapeXml(name)}</title>
    <link rel="stylesheet" href="/assets/style.css">
  </head>
  <body>
    <main>
      <h1>${escapeXml(name)}</h1>
      <p>${escapeXml(description)}</p>
      <nav>
        <a href="/" data-route>Home</a>
        <a href="/about" data-route>About</a>
      </nav>
      <p id="route" aria-live="polite"></p>
    </main>
    <script type="module" src="/assets/app.js"></script>
  </body>
</html>
`;

export const appJs = (
  name: string,
) => `// A tiny client-side router: nginx serves index.html for every unknown path (SPA fallback).
const appName = ${stringLiteral(name)};
const routes = { "/": "Home", "/about": "About" };

function render() {
  const page = routes[location.pathname] ?? "Not found";
  document.getElementById("route").textContent = \`\${appName}: \${page}\`;
  document.title = \`\${page} · \${appName}\`;
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
`;

export const styleCss = () => `:root {
  color-scheme: light dark;
  font-family: system-ui, sans-serif;
}

main {
  max-width: 40rem;
  margin: 4rem auto;
  padding: 0 1rem;
  line-height: 1.5;
}

nav a {
  margin-right: 1rem;
}
`;

export const buildMjs = () => `#!/usr/bin/env node
// Builds src/ into dist/ with content-hashed asset names, so nginx can cache them forever.
// No bundler and no dependencies: add one when the app needs it, keeping dist/ as the output.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Copies srcDir/index.html and srcDir/assets/* to outDir, renaming assets to name.<hash>.ext. */
export async function build(srcDir, outDir) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "assets"), { recursive: true });
  let html = await readFile(join(srcDir, "index.html"), "utf8");
  for (const name of (await readdir(join(srcDir, "assets"))).sort()) {
    const body = await readFile(join(srcDir, "assets", name));
    const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
    const dot = name.lastIndexOf(".");
    const hashed = dot > 0 ? \`\${name.slice(0, dot)}.\${hash}\${name.slice(dot)}\` : \`\${name}.\${hash}\`;
    await writeFile(join(outDir, "assets", hashed), body);
    html = html.replaceAll(\`"/assets/\${name}"\`, \`"/assets/\${hashed}"\`);
  }
  await writeFile(join(outDir, "index.html"), html);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  await build(join(root, "src"), join(root, "dist"));
}
`;

export const buildTest = () => `import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "../scripts/build.mjs";

const src = fileURLToPath(new URL("../src", import.meta.url));

test("every asset index.html references exists under a content-hashed name", async (t) => {
  const out = await mkdtemp(join(tmpdir(), "site-"));
  t.after(() => rm(out, { recursive: true, force: true }));
  await build(src, out);
  const html = await readFile(join(out, "index.html"), "utf8");
  const refs = [...html.matchAll(/"\\/assets\\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length >= 2, "index.html references the stylesheet and the script");
  const built = await readdir(join(out, "assets"));
  for (const ref of refs) {
    assert.match(ref, /\\.[0-9a-f]{12}\\.[a-z]+$/, \`\${ref} is content-hashed\`);
    assert.ok(built.includes(ref), \`\${ref} was built\`);
  }
});
`;
