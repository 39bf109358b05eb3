"""The style of the HTML report, inlined into every page (``render.html``): a column
that reads on a phone and widens to two on a desk, tables that scroll sideways
rather than squeeze, the system's fonts, and a dark variant."""

STYLE = """
:root{--fg:#1d232a;--muted:#5c6670;--bg:#fff;--card:#f6f7f9;--line:#dde1e6;
--deals:#2f7ebc;--bench:#d5dbe1;--over:#d0453b;--ok:#2c8a4b;--warn:#b7791f;--bad:#c0392b;
--s0:#4e79a7;--s1:#59a14f;--s2:#edc948;--s3:#f28e2b;--s4:#b07aa1;--s5:#76b7b2;
--s6:#ff9da7;--s7:#9c755f}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ed;--muted:#9aa4ae;--bg:#15191d;
--card:#1f252b;--line:#333b43;--bench:#3b444d}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.45;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",
"PingFang SC","Microsoft YaHei",sans-serif}
p,li,h1,h2,dd{overflow-wrap:break-word}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 14px}
header{padding-top:14px}
h1{font-size:1.5rem;margin:.2em 0}
h2{font-size:1.25rem;margin:0 0 .5em;border-bottom:2px solid var(--line);padding-bottom:.2em}
h3{font-size:1rem;margin:1em 0 .4em}
.sub,.note,.quiet,footer,.stays,figcaption{color:var(--muted)}
nav{display:flex;flex-wrap:wrap;gap:6px;margin:.6em 0 1em}
nav a{padding:3px 10px;border:1px solid var(--line);border-radius:999px;color:inherit;
text-decoration:none;font-size:.9rem}
section{background:var(--card);border-radius:10px;padding:14px;margin:0 0 16px}
section.team{border-left:4px solid var(--deals)}
.cols{display:grid;grid-template-columns:1fr;gap:14px}
.cols>div{min-width:0}
@media (min-width:760px){.cols{grid-template-columns:3fr 2fr}}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;white-space:nowrap}
.n{text-align:right;white-space:nowrap}
ul{padding-left:1.2em;margin:.3em 0}
li{margin:.15em 0}
.funnel-chart{margin:0 0 8px}
.bar-row{display:grid;grid-template-columns:minmax(5em,11em) minmax(0,1fr) auto;gap:8px;
align-items:center;margin:3px 0}
.bar-label{font-size:.9rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar-fig{font-size:.85rem;white-space:nowrap;font-variant-numeric:tabular-nums}
svg.bar{display:block;width:100%;height:18px}
td.chart{min-width:90px;width:25%}
rect.deals,i.deals{fill:var(--deals);background:var(--deals)}
rect.bench,i.bench{fill:var(--bench);background:var(--bench)}
rect.over,i.over{fill:var(--over);background:var(--over)}
rect.short{fill:var(--warn)}
i.key{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;
margin-left:.6em}
.s0{fill:var(--s0);background:var(--s0)}.s1{fill:var(--s1);background:var(--s1)}
.s2{fill:var(--s2);background:var(--s2)}.s3{fill:var(--s3);background:var(--s3)}
.s4{fill:var(--s4);background:var(--s4)}.s5{fill:var(--s5);background:var(--s5)}
.s6{fill:var(--s6);background:var(--s6)}.s7{fill:var(--s7);background:var(--s7)}
figcaption,.legend{font-size:.8rem}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5em,1fr));gap:6px;
margin:0}
.figures div{background:var(--bg);border:1px solid var(--line);border-radius:8px;
padding:6px 8px}
.figures dt{font-size:.75rem;color:var(--muted)}
.figures dd{margin:0;font-size:1.15rem;font-weight:600;font-variant-numeric:tabular-nums}
.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}
tr.blocking td{font-weight:600}
.trend-table td:first-child,.leaders td{white-space:nowrap}
.d-bulge b,.m-lost b{color:var(--bad)}
.d-thin_top b,.d-narrow b,.d-late_entry_rep b,.m-regressed b{color:var(--warn)}
.d-clean b,.m-won b{color:var(--ok)}
svg.trend{display:block;font-size:11px}
svg.trend text{fill:var(--fg);text-anchor:middle}
svg.trend text.year{fill:var(--muted);font-size:9px}
svg.trend line.axis{stroke:var(--line)}
footer{font-size:.8rem;padding-bottom:20px}
@media (max-width:520px){body{font-size:14px}section{padding:10px;border-radius:0;
margin:0 -14px 12px}.bar-row{grid-template-columns:minmax(4em,7.5em) minmax(0,1fr) auto}
th,td{padding:4px 6px}}
@media print{section{break-inside:avoid;background:none}nav{display:none}}
""".strip()
