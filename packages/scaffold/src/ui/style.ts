import { presets } from "@slipway/presets";

/**
 * The whole stylesheet, served as `/static/app.css` by the app and by the development provider
 * (CSP forbids inline styles; no fonts or anything else is fetched). Colours meet WCAG AA in both
 * schemes (light: text #1b1f24 on #fff, links and buttons #0a4a8f; dark: #e6e9ee on #1b1f24, links
 * #9ccbff), test/ui-design.test.ts measures them; focus is a thick outline that never depends on
 * colour alone.
 */
const BASE = `
:root{color-scheme:light dark;--bg:#f3f5f8;--surface:#fff;--text:#1b1f24;--muted:#4a5260;--border:#8a93a0;--line:#d5dae1;--accent:#0a4a8f;--accent-text:#fff;--accent-soft:#e6eef8;--error:#a30000;--error-soft:#fdf0f0;--focus:#b34700;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#121418;--surface:#1b1f24;--text:#e6e9ee;--muted:#b4bcc8;--border:#7d8796;--line:#343b45;--accent:#9ccbff;--accent-text:#0b1a2b;--accent-soft:#1f2f44;--error:#ff9c9c;--error-soft:#3a1f22;--focus:#ffb366;--code:#14171b}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--text);background:var(--bg);margin:0}
.skip{position:absolute;left:.5rem;top:-3rem;background:var(--surface);color:var(--accent);padding:.5rem 1rem;z-index:2}
.skip:focus{top:.5rem}
.top{background:var(--surface);border-bottom:1px solid var(--line)}
.bar,main{max-width:64rem;margin:0 auto;padding:0 1rem}
.bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;justify-content:space-between;align-items:center;min-height:3.5rem;padding-top:.5rem;padding-bottom:.5rem}
.brand{margin:0;font-weight:700;font-size:1.125rem}
.brand a{color:var(--text);text-decoration:none}
.brand a:hover{text-decoration:underline}
.signout{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0;color:var(--muted);font-size:.9375rem}
.signout strong{color:var(--text)}
main{padding-top:1.5rem;padding-bottom:3rem}
main:focus{outline:none}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.25rem;line-height:1.3;margin:1.5rem 0 .5rem}
.lead{color:var(--muted);margin:0 0 1.5rem;max-width:44rem}
a{color:var(--accent);text-underline-offset:.15em}
fieldset{border:1px solid var(--line);border-radius:8px;background:var(--surface);margin:0 0 1.25rem;padding:1rem 1.25rem 1.25rem;min-width:0}
legend{font-weight:700;font-size:1.0625rem;padding:0 .375rem}
.choices{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.75rem}
.choice{position:relative;display:grid;grid-template-columns:auto 1fr;column-gap:.625rem;align-items:start;align-content:start;border:1px solid var(--border);border-radius:6px;padding:.75rem .875rem;background:var(--surface)}
.choice:has(input:checked){border:2px solid var(--accent);background:var(--accent-soft);padding:calc(.75rem - 1px) calc(.875rem - 1px)}
.choice input{position:relative;z-index:1;margin:.3rem 0 0;width:1.125rem;height:1.125rem;accent-color:var(--accent)}
.choice label{font-weight:600;cursor:pointer}
.choice label::after{content:"";position:absolute;inset:0}
.choice .hint{grid-column:2;margin:.125rem 0 0}
.field{margin:0 0 1.125rem}
.field:last-child{margin-bottom:0}
label{display:block;font-weight:600}
.req{color:var(--error)}
.hint{color:var(--muted);margin:.125rem 0 .375rem;font-size:.9375rem;max-width:44rem}
fieldset>.hint{margin:-.25rem 0 1rem}
input,select{font:inherit;color:var(--text);background:var(--surface);padding:.5rem .625rem;border:1px solid var(--border);border-radius:4px;width:100%;max-width:30rem;min-height:2.75rem}
input[type=radio]{min-height:0}
input:hover,select:hover{border-color:var(--text)}
[aria-invalid=true]{border:2px solid var(--error);background:var(--error-soft)}
.error{color:var(--error);font-weight:600;margin:.125rem 0 .375rem}
.error::before{content:"! ";font-weight:700}
.summary{border:2px solid var(--error);border-radius:8px;background:var(--error-soft);padding:.75rem 1.25rem;margin:0 0 1.25rem}
.summary h2{margin:0 0 .25rem;font-size:1.125rem}
.summary ul{margin:0;padding-left:1.25rem}
.summary li{margin:.25rem 0}
.summary a{color:var(--error)}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
.actions .hint{flex-basis:100%;margin:0}
button,.button{display:inline-block;font:inherit;font-weight:600;line-height:1.25;padding:.625rem 1.125rem;min-height:2.75rem;border:2px solid var(--accent);border-radius:6px;background:var(--accent);color:var(--accent-text);cursor:pointer;text-decoration:none}
button:hover,.button:hover{filter:brightness(1.12)}
button.secondary{background:var(--surface);color:var(--accent)}
button.secondary:hover{background:var(--accent-soft);filter:none}
button.small{padding:.25rem .75rem;min-height:2.25rem;font-size:.9375rem}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.choice:has(input:focus-visible){outline:3px solid var(--focus);outline-offset:2px}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:1rem;overflow:auto;margin:0;font-size:.875rem;line-height:1.45;tab-size:2}
code{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace}
.links{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:center}
.explore{display:grid;grid-template-columns:minmax(0,17rem) minmax(0,1fr);gap:1.25rem;align-items:start}
.filelist{background:var(--surface);border:1px solid var(--line);border-radius:8px;padding:.5rem 0;max-height:75vh;overflow:auto;position:sticky;top:1rem}
.files{list-style:none;margin:0;padding:0}
.files li{padding:0}
.files a{display:block;padding:.3rem 1rem;overflow-wrap:anywhere;font-size:.9375rem}
.files [aria-current=page]{font-weight:700;background:var(--accent-soft);box-shadow:inset 4px 0 0 var(--accent)}
.tag{display:inline-block;margin:0 1rem .25rem;font-size:.8125rem;color:var(--muted)}
.preview{min-width:0}
.preview h2{margin-top:0;font-size:1.0625rem;overflow-wrap:anywhere}
.message{background:var(--surface);border:1px solid var(--line);border-radius:8px;padding:1.25rem;margin:0 0 1rem}
.message>:first-child{margin-top:0}
.message>:last-child{margin-bottom:0}
.message h2{font-size:1.0625rem;margin:1.5rem 0 .5rem}
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.375rem 1.25rem;margin:0}
.facts dt{font-weight:600}
.facts dd{margin:0;overflow-wrap:anywhere}
.changes{list-style:none;padding:0;margin:0}
.changes li{margin:.125rem 0;overflow-wrap:anywhere}
.kind{display:inline-block;min-width:4.5rem;color:var(--muted);font-size:.9375rem}
code{font-size:.9375em}
.message pre{margin:.375rem 0 .75rem}
.narrow{max-width:34rem}
.card{background:var(--surface);border:1px solid var(--line);border-radius:8px;padding:1.25rem;margin:0 0 1rem}
.card input{max-width:none}
.badge{margin:0;font-size:.875rem;color:var(--muted);border:1px solid var(--line);border-radius:999px;padding:.125rem .75rem}
.scopes{margin:0 0 1.25rem;padding-left:1.25rem}
.scopes li{margin:.25rem 0}
.scopes code{color:var(--muted);font-size:.875rem}
@media (min-width:56rem){
.params{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));column-gap:2rem;align-items:start}
.params>.hint{grid-column:1/-1}
.params .field:last-child{margin-bottom:1.125rem}
.params .field{display:flex;flex-direction:column;align-self:stretch}
.params .field>input,.params .field>select{margin-top:auto}
}
@media (max-width:48rem){
.explore{grid-template-columns:minmax(0,1fr)}
.filelist{position:static;max-height:16rem}
h1{font-size:1.5rem}
fieldset{padding:.75rem .875rem 1rem}
.actions button{flex:1 1 auto}
.choices{grid-template-columns:minmax(0,1fr)}
.facts{grid-template-columns:minmax(0,1fr)}
.facts dd{margin-bottom:.5rem}
}
@media (max-width:30rem){
.who{display:none}
}
`;

/**
 * Only the checked preset's fields show: for each preset, the fields marked `only` that are not
 * `for-<preset>` are hidden while its radio is checked. Hidden fields are still posted; the server
 * leaves out whatever the chosen preset does not take.
 */
const PRESET_RULES = presets
  .map((p) => `.project:has(#preset-${p.id}:checked) .only:not(.for-${p.id}){display:none}`)
  .join("\n");

export const STYLESHEET = `${BASE}${PRESET_RULES}\n`;
