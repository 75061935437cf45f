/**
 * The whole stylesheet, served as `/static/app.css` (CSP forbids inline styles). Colours meet WCAG
 * AA contrast (text #1b1b1b and links #0a4a8f on white; white on #0a4a8f buttons); focus is a thick
 * outline that never depends on colour alone.
 */
export const STYLESHEET = `
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;margin:0}
header,main,footer{max-width:60rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #8a8a8a;display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;align-items:center}
.signout{display:flex;gap:.5rem;align-items:center;margin:0}
h1{font-size:1.5rem;margin:0}
a{color:#0a4a8f}
fieldset{border:1px solid #8a8a8a;margin:0 0 1rem;padding:1rem}
legend{font-weight:600;padding:0 .25rem}
.field{margin:0 0 1rem}
label{display:block;font-weight:600}
.hint{color:#4a4a4a;margin:.1rem 0;font-size:.9rem}
input,select{font:inherit;padding:.4rem;border:1px solid #5a5a5a;border-radius:3px;width:100%;max-width:30rem}
input[type=radio]{width:auto}
.choice label{display:inline;font-weight:400}
[aria-invalid=true]{border:2px solid #a30000}
.error{color:#a30000;font-weight:600;margin:.2rem 0}
.summary{border:2px solid #a30000;padding:.5rem 1rem;margin:0 0 1rem}
button{font:inherit;padding:.5rem 1rem;margin:0 .5rem .5rem 0;border:2px solid #0a4a8f;border-radius:3px;background:#0a4a8f;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0a4a8f}
:focus-visible{outline:3px solid #b34700;outline-offset:2px}
pre{background:#f4f4f4;border:1px solid #8a8a8a;padding:1rem;overflow:auto}
.files{columns:2}
.files [aria-current=true]{font-weight:700}
`;
