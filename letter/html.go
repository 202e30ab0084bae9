package letter

import (
	"bytes"
	"html/template"
)

// The HTML letter: a whole document, the same content as the PDF, every
// value escaped by html/template. Minimal inline CSS; readable on a phone.
var htmlTemplate = template.Must(template.New("letter").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – {{.Municipality}}</title>
<style>
body{font-family:"DejaVu Sans",Verdana,system-ui,sans-serif;font-size:1rem;line-height:1.5;color:#111;background:#fff;margin:0}
main{max-width:46rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #888;margin-bottom:1rem}
header p{margin:0}
h1{font-size:1.5rem;line-height:1.25;margin:1.5rem 0 .5rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .25rem}
p,dd,li{white-space:pre-line}
.lead{font-size:1.1rem;font-weight:bold}
.small{font-size:.85rem}
.top{display:flex;flex-wrap:wrap;gap:1rem 3rem}
.recipient p,.meta p{margin:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}
dt{font-weight:bold}
dd{margin:0}
.item{border-left:3px solid #888;padding-left:.75rem;margin:.75rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:bold;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.3rem .4rem;border-bottom:1px solid #ddd}
thead th{background:#e1e1e1}
tbody th[scope=colgroup]{background:#f2f2f2}
th[scope=row]{font-weight:normal}
tr.sum th,tr.sum td,tr.total th,tr.total td{font-weight:bold;border-top:1px solid #888}
.num{text-align:right;white-space:nowrap}
footer{border-top:1px solid #888;margin-top:2rem;font-size:.85rem}
</style>
</head>
<body>
<main>
<header>
<p><strong>{{.Municipality}}</strong></p>
<p class="small">{{.Board}}</p>
</header>
<div class="top">
<div class="recipient">
{{- range $i, $l := .Recipient}}
<p>{{if and $.Protected (eq (inc $i) (len $.Recipient))}}<strong>{{$l}}</strong>{{else}}{{$l}}{{end}}</p>
{{- end}}
</div>
<div class="meta">
{{- range .Meta}}
<p><strong>{{.Key}}:</strong> {{.Value}}</p>
{{- end}}
</div>
</div>
<h1>{{.Title}}</h1>
<dl>
{{- range .Facts}}
<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
{{- range .Sections}}
<section>
<h2>{{.Heading}}</h2>
{{- range .Blocks}}
{{- if eq .Kind "lead"}}
<p class="lead">{{.Text}}</p>
{{- else if eq .Kind "p"}}
<p>{{.Text}}</p>
{{- else if eq .Kind "small"}}
<p class="small">{{.Text}}</p>
{{- else if eq .Kind "ul"}}
<ul>
{{- range .Items}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- else if eq .Kind "ol"}}
<ol>
{{- range .Items}}
<li>{{.}}</li>
{{- end}}
</ol>
{{- else if eq .Kind "dl"}}
<dl>
{{- range .Pairs}}
<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
{{- else if eq .Kind "item"}}
<div class="item">
<h3>{{.Text}}</h3>
<dl>
{{- range .Pairs}}
<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
</div>
{{- else if eq .Kind "table"}}{{with .Table}}
<div class="scroll">
<table>
<caption>{{.Caption}}</caption>
<thead>
<tr>{{range $i, $h := .Head}}<th scope="col"{{if eq $i 2}} class="num"{{end}}>{{$h}}</th>{{end}}</tr>
</thead>
<tbody>
{{- range .Rows}}
{{- if eq .Kind "section"}}
<tr><th scope="colgroup" colspan="4">{{.Label}}</th></tr>
{{- else}}
<tr{{if ne .Kind "line"}} class="{{.Kind}}"{{end}}><th scope="row">{{.Label}}</th><td>{{.Person}}</td><td class="num">{{.Amount}}</td><td>{{.Ref}}</td></tr>
{{- end}}
{{- end}}
</tbody>
</table>
</div>
<p class="small">{{.MarksIntro}}</p>
{{- if .Marks}}
<ul class="small">
{{- range .Marks}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
<h3 class="small">Källor</h3>
<ul class="small">
{{- range .Sources}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}
{{- end}}
</section>
{{- end}}
<footer>
<p>{{.Footer}}</p>
</footer>
</main>
</body>
</html>
`))

func renderHTML(d *doc) ([]byte, error) {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
