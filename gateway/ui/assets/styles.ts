// The UI's one stylesheet, served as /ui/assets/styles.css (the CSP forbids inline styles, so every look is a
// class here). Dark by default like v2.5's dashboard; a light scheme follows the browser's preference.

export const STYLES_CSS = `
:root {
  --bg: #11151c; --panel: #1a2029; --panel2: #212936; --line: #2e3846; --text: #e3e8ef; --muted: #93a1b3;
  --accent: #4ea1ff; --accent2: #2f7fd8; --ok: #3fb772; --warn: #e0a526; --bad: #e5534b; --info: #8c7bff;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color-scheme: dark;
}
@media (prefers-color-scheme: light) {
  :root { --bg: #f4f6f9; --panel: #ffffff; --panel2: #eef1f5; --line: #d5dbe3; --text: #1d2530; --muted: #5b6878;
    --accent: #1f6fd1; --accent2: #1659aa; color-scheme: light; }
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
pre { background: var(--panel2); border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-word; }

header.top { display: flex; align-items: center; gap: 18px; padding: 0 20px; height: 52px; background: var(--panel); border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; letter-spacing: .5px; color: var(--text); margin-right: 8px; }
header.top .brand small { color: var(--muted); font-weight: 400; margin-left: 6px; }
nav.main { display: flex; gap: 2px; flex-wrap: wrap; flex: 1; }
nav.main a { color: var(--muted); padding: 6px 10px; border-radius: 6px; }
nav.main a:hover { background: var(--panel2); color: var(--text); text-decoration: none; }
nav.main a.active { background: var(--panel2); color: var(--text); font-weight: 600; }
.who { display: flex; align-items: center; gap: 10px; color: var(--muted); white-space: nowrap; }
.who form { margin: 0; }

main { padding: 20px; max-width: 1500px; margin: 0 auto; }
h1 { font-size: 22px; margin: 4px 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.right { text-align: right; }
.nowrap { white-space: nowrap; }
.wrap { word-break: break-word; }

.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; overflow-x: auto; }
.grid > .panel, .grid > div { min-width: 0; }
.grid { display: grid; gap: 16px; }
.grid.cols-2 { grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
.grid.list-forms { grid-template-columns: minmax(0, 3fr) minmax(300px, 2fr); }
@media (max-width: 1000px) { .grid.list-forms { grid-template-columns: minmax(0, 1fr); } }
.grid.cols-4 { grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); }
.cards { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); margin-bottom: 16px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
.card .value { font-size: 26px; font-weight: 650; margin-top: 2px; }
.card .unit { color: var(--muted); font-size: 12px; }

table { width: 100%; border-collapse: collapse; }
table.config-table { table-layout: fixed; }
table.config-table col.key { width: 36%; } table.config-table col.default { width: 15%; } table.config-table col.current { width: 17%; }
table.config-table col.change { width: 26%; } table.config-table col.link { width: 6%; }
table.config-table td { overflow-wrap: anywhere; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .3px; }
tbody tr:hover { background: var(--panel2); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.msg { max-width: 520px; word-break: break-word; }
td.actions { white-space: nowrap; }
td.actions form, td.actions details { display: inline-block; margin: 0 4px 0 0; }
td.empty { text-align: center; color: var(--muted); padding: 18px; }

.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: var(--panel2); border: 1px solid var(--line); white-space: nowrap; }
.badge.ok { color: var(--ok); border-color: var(--ok); }
.badge.warn { color: var(--warn); border-color: var(--warn); }
.badge.bad { color: var(--bad); border-color: var(--bad); }
.badge.info { color: var(--info); border-color: var(--info); }
.badge.muted { color: var(--muted); }
.value.ok { color: var(--ok); } .value.warn { color: var(--warn); } .value.bad { color: var(--bad); }

form.inline { display: inline-flex; gap: 6px; align-items: center; margin: 0; }
form.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-end; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
.form-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px 18px; }
.field { display: flex; flex-direction: column; gap: 4px; }
fieldset.plain { border: 0; padding: 0; margin: 0; min-width: 0; }
.field.wide { grid-column: span 2; }
@media (max-width: 700px) { .field.wide { grid-column: auto; } }
.field > label { font-weight: 600; font-size: 13px; }
.field .hint { color: var(--muted); font-size: 12px; }
.field.has-error input, .field.has-error select, .field.has-error textarea { border-color: var(--bad); }
.field-error { color: var(--bad); font-size: 12.5px; }
.checkbox { flex-direction: row; align-items: center; gap: 8px; }
input, select, textarea, button { font: inherit; color: var(--text); }
input[type=text], input[type=number], input[type=password], input[type=datetime-local], select, textarea {
  background: var(--panel2); border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; min-width: 0; }
input:focus, select:focus, textarea:focus { outline: 2px solid var(--accent2); outline-offset: 0; }
input.narrow { width: 80px; }
input.medium { width: 150px; }
textarea { width: 100%; min-height: 120px; font-family: var(--mono); font-size: 12.5px; }
button, .button { display: inline-block; background: var(--accent2); color: #fff; border: 1px solid var(--accent2); border-radius: 6px; padding: 6px 12px; cursor: pointer; font-weight: 600; }
button:hover, .button:hover { filter: brightness(1.1); text-decoration: none; }
button.secondary, .button.secondary { background: transparent; color: var(--text); border-color: var(--line); }
button.danger { background: var(--bad); border-color: var(--bad); }
button.small, .button.small { padding: 2px 8px; font-size: 12px; }
.toolbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
.toolbar .spacer { flex: 1; }

details.confirm { display: inline-block; }
details.confirm > summary { list-style: none; cursor: pointer; display: inline-block; padding: 2px 8px; font-size: 12px; border: 1px solid var(--bad); color: var(--bad); border-radius: 6px; font-weight: 600; }
details.confirm > summary::-webkit-details-marker { display: none; }
details.confirm[open] > summary { opacity: .6; }
details.confirm .confirm-box { margin-top: 6px; padding: 8px; border: 1px solid var(--bad); border-radius: 6px; background: var(--panel2); white-space: normal; max-width: 320px; }
details.more > summary { cursor: pointer; color: var(--accent); }

.flash { padding: 10px 14px; border-radius: 8px; margin-bottom: 14px; border: 1px solid; }
.flash.ok { border-color: var(--ok); color: var(--ok); background: color-mix(in srgb, var(--ok) 10%, transparent); }
.flash.error { border-color: var(--bad); color: var(--bad); background: color-mix(in srgb, var(--bad) 10%, transparent); }
.flash.warn { border-color: var(--warn); color: var(--warn); background: color-mix(in srgb, var(--warn) 10%, transparent); }
.flash ul { margin: 6px 0 0; padding-left: 18px; }
.empty-state { text-align: center; padding: 36px 10px; color: var(--muted); }
.empty-state strong { display: block; color: var(--text); font-size: 16px; margin-bottom: 6px; }

.pager { display: flex; gap: 10px; align-items: center; margin-top: 12px; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; word-break: break-word; }

.live { font-size: 12px; padding: 2px 8px; border-radius: 10px; border: 1px solid var(--line); color: var(--muted); }
.live.ok { color: var(--ok); border-color: var(--ok); }
.live.warn { color: var(--warn); border-color: var(--warn); }
svg.chart { width: 100%; height: auto; max-height: 260px; display: block; }
svg.chart .bar { fill: var(--accent); }
svg.chart .bar:hover { fill: var(--accent2); }
svg.chart .axis { stroke: var(--line); }
svg.chart text { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
progress { width: 90px; height: 8px; vertical-align: middle; }

.login-wrap { max-width: 420px; margin: 10vh auto; }
.login-wrap h1 { margin-bottom: 2px; }
.login-wrap input[type=password] { width: 100%; }
.result { border-left: 4px solid var(--line); padding-left: 12px; }
.result.matched { border-color: var(--ok); }
.result.unmatched { border-color: var(--warn); }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 20px; }
`;
