"""MkDocs hooks for the drn_prune site (`make docs`; configured in mkdocs.yml).

The site is built from a staged copy of nbs/ (in _proc/docs/) so the notebooks themselves are never touched:

- every notebook under nbs/ becomes a page, and the sidebar (nav) is generated here from the files, grouped
  the way the folders and the number prefixes are, so a new notebook cannot be left out;
- nbdev directives are applied much as nbdev's own docs would: `#| hide` and `#| default_exp` cells are dropped,
  `#| echo: false` hides a cell's input, `#| output: false` its outputs, a `show_doc(...)` cell shows only its
  output, and the `#| ...` lines themselves go. Unlike nbdev, the code of `#| export` cells stays on the page
  (nbdev would replace it by show_doc output made at build time; here nothing is executed, and the API
  reference pages give the signatures and docstrings);
- links between notebooks (`maze.ipynb`) point at their pages, and files outside nbs/ that the prose shows
  (`../figures/x.png`) are copied into the site next to the pages that show them;
- one API reference page per module of drn_prune, rendered by mkdocstrings from the exported code;
- widget outputs are drawn from their saved state as static HTML (tqdm bars show where they ended);
- MathJax is served from the site itself (the jupyter-server-mathjax package), so no page loads anything from
  the network.
"""
import json, re, shutil
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
STAGE = ROOT / '_proc' / 'docs'
PKG = ROOT / 'drn_prune'
MATHJAX_PLACEHOLDER = 'DRN_PRUNE_MATHJAX_URL'
MATHJAX_DIR = 'assets/mathjax'

# Top-level notebooks without a number prefix are the studies; this is their reading order (others follow, sorted).
STUDY_ORDER = ['maze', 'prefix_sums', 'rnn_jacobian', 'lottery_mnist', 'dynamics', 'dynamics_xord', 'ood', 'sparse_rnn']
# Numbered notebooks at the top of nbs/ are grouped by the first digit of their number.
GROUP_BY_DIGIT = {'0': 'Core, masks & criteria', '1': 'Core, masks & criteria', '2': 'Models', '3': 'Training',
                  '4': 'Experiment modules', '5': 'Sweep', '6': 'Viewers'}
GROUP_BY_FOLDER = {'data': 'Data', 'models': 'Models', 'experiments': 'Experiment modules'}
GROUP_ORDER = ['Studies', 'Core, masks & criteria', 'Data', 'Models', 'Training', 'Experiment modules', 'Sweep',
               'Viewers']


def notebook_paths(nbs=NBS):
    "Every notebook under `nbs` that is a page: not in a hidden folder (checkpoints), not a papermill `*_out`."
    return sorted(p for p in nbs.rglob('*.ipynb')
                  if not any(part.startswith('.') for part in p.relative_to(nbs).parts) and not p.stem.endswith('_out'))


def _join(text): return ''.join(text) if isinstance(text, list) else text


def _src(cell): return _join(cell['source'])


def notebook_title(path):
    "The notebook's first `# Title` line (the project requires one in the first cell)."
    for cell in json.loads(Path(path).read_text())['cells']:
        if cell['cell_type'] == 'markdown':
            for line in _src(cell).splitlines():
                if line.startswith('# '): return re.sub(r'[`*]', '', line[2:]).strip()
    raise ValueError(f'{path}: no "# Title" line in any markdown cell; every notebook needs one')


def nav_group(rel):
    "The sidebar group of the notebook at `rel` (a path relative to nbs/)."
    if len(rel.parts) > 1: return GROUP_BY_FOLDER.get(rel.parts[0], rel.parts[0].replace('_', ' ').capitalize())
    m = re.match(r'(\d)\d*_', rel.name)
    if not m: return 'Studies'
    return GROUP_BY_DIGIT.get(m.group(1), 'More')


def _study_key(rel):
    return (STUDY_ORDER.index(rel.stem) if rel.stem in STUDY_ORDER else len(STUDY_ORDER), rel.name)


def build_nav(nbs=NBS, api_pages=()):
    "MkDocs nav: Home (index.ipynb), one section per group holding every other notebook, then the API reference."
    rels = [p.relative_to(nbs) for p in notebook_paths(nbs)]
    if Path('index.ipynb') not in rels: raise FileNotFoundError(f'{nbs}/index.ipynb is missing: it is the home page')
    groups = {}
    for rel in rels:
        if rel != Path('index.ipynb'): groups.setdefault(nav_group(rel), []).append(rel)
    order = GROUP_ORDER + sorted(set(groups) - set(GROUP_ORDER))
    nav = [{'Home': 'index.ipynb'}]
    for g in order:
        if g not in groups: continue
        items = sorted(groups[g], key=_study_key if g == 'Studies' else lambda r: (r.name, str(r)))
        nav.append({g: [{notebook_title(nbs / r): r.as_posix()} for r in items]})
    if api_pages: nav.append({'API reference': [{name: page} for name, page in api_pages]})
    return nav


# --- staging: nbdev directives ------------------------------------------------------------------------------
DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')


def stage_cell(cell):
    "The cell as the site shows it (None: the cell is not shown), following nbdev's directives."
    if cell['cell_type'] != 'code': return cell
    lines = _src(cell).splitlines(keepends=True)
    dirs = {m.group(1).lower(): m.group(2).lower() for m in map(DIRECTIVE.match, lines) if m}
    if 'hide' in dirs or 'default_exp' in dirs or dirs.get('include') == 'false': return None
    cell = dict(cell, source=''.join(l for l in lines if not DIRECTIVE.match(l)).strip('\n'))
    meta = dict(cell.get('metadata', {}))
    if re.search(r'^show_doc', cell['source'], re.M):                    # as nbdev: a show_doc cell shows its output
        if not cell.get('outputs'): return None
        dirs['echo'] = 'false'
    if dirs.get('echo') == 'false':
        meta['tags'] = list(meta.get('tags', [])) + ['remove_input']
    if dirs.get('output') == 'false': cell['outputs'] = []
    cell['metadata'] = meta
    if not cell['source'] and not cell.get('outputs'): return None
    return cell


# --- staging: links ---------------------------------------------------------------------------------------
LINK = re.compile(r'(\]\(|\b(?:src|href)=["\'])([^)"\'\s]+)')


def rewrite_links(text, nb_rel, copies, root=ROOT, nbs=NBS):
    """`text` with relative links fixed for the page of the notebook at `nb_rel` (relative to nbs/):
    `x.ipynb` -> `x.html`; a repository file outside nbs/ -> its copy in the site (recorded in `copies`)."""
    nb_dir = (nbs / nb_rel).parent

    def fix(m):
        target = m.group(2)
        if re.match(r'^[a-z][\w+.-]*:|^#|^/', target, re.I): return m.group(0)     # URL, anchor or absolute path
        path, rest = re.match(r'([^#?]*)(.*)', target).groups()            # rest: '#anchor' or '?query'
        dest = (nb_dir / path).resolve()
        if dest.suffix == '.ipynb' and dest.is_relative_to(nbs):
            path = path[:-len('.ipynb')] + '.html'
        elif dest.is_file() and dest.is_relative_to(root) and not dest.is_relative_to(nbs):
            rel = dest.relative_to(root)
            copies[rel] = dest
            path = Path(*['..'] * (len(nb_rel.parts) - 1), rel).as_posix()
            if dest.suffix == '.md': path = path[:-len('.md')] + '.html'
        else: return m.group(0)
        return m.group(1) + path + rest

    return LINK.sub(fix, text)


# --- staging: widgets (their saved state, drawn as static HTML; the widget JavaScript would come from a CDN) ----
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
BOXES = {'HBoxModel': 'row', 'BoxModel': 'row', 'GridBoxModel': 'row', 'VBoxModel': 'column'}


def _model_id(ref): return str(ref).replace('IPY_MODEL_', '')


def _output_html(out):
    "A saved output inside an Output widget, as HTML."
    data = out.get('data', {})
    if out.get('output_type') == 'stream': return f'<pre>{escape(_join(out["text"]))}</pre>'
    if 'image/png' in data: return f'<img src="data:image/png;base64,{_join(data["image/png"]).strip()}">'
    if 'text/html' in data: return _join(data['text/html'])
    if 'text/plain' in data: return f'<pre>{escape(_join(data["text/plain"]))}</pre>'
    return ''


def widget_html(model_id, state, depth=0):
    """Static HTML for the saved widget `model_id` in its last state: boxes, HTML, labels, progress bars (tqdm),
    Output widgets; any other widget as its description and value. '' when the widget is gone or hidden."""
    m = state.get(model_id)
    if m is None or depth > 30: return ''
    name, s = m.get('model_name', ''), m.get('state', {})
    layout = state.get(_model_id(s.get('layout', '')), {}).get('state', {})
    if layout.get('display') == 'none' or layout.get('visibility') == 'hidden': return ''
    desc = escape(s.get('description') or '')
    kids = ''.join(widget_html(_model_id(c), state, depth + 1) for c in s.get('children', []))
    if name in BOXES or (kids and name != 'OutputModel'):
        return f'<div style="display:flex;flex-direction:{BOXES.get(name, "column")};flex-wrap:wrap;align-items:center;gap:.5em">{kids}</div>'
    if name in ('HTMLModel', 'HTMLMathModel'): return f'<span>{desc} {s.get("value", "")}</span>'
    if name in ('FloatProgressModel', 'IntProgressModel'):
        lo, hi, v = s.get('min', 0), s.get('max', 100), s.get('value', 0)
        pct = 100 * min(max((v - lo) / (hi - lo), 0), 1) if hi > lo else 0
        color = {'success': '#4caf50', 'danger': '#f44336', 'warning': '#ff9800'}.get(s.get('bar_style'), '#2196f3')
        return (f'<span>{desc}</span><span role="progressbar" aria-valuenow="{v}" aria-valuemax="{hi}" '
                f'style="display:inline-block;flex:none;width:12em;height:.9em;background:#e0e0e0">'
                f'<span style="display:block;height:100%;width:{pct:.1f}%;background:{color}"></span></span>')
    if name == 'OutputModel': return '<div>' + ''.join(map(_output_html, s.get('outputs', []))) + '</div>'
    if 'value' in s: return f'<span>{desc} {escape(str(s["value"]))}</span>'
    return ''


def stage_widgets(nb):
    "Replace each widget output by static HTML of its saved state (no state: the output goes); drop the state."
    state = nb['metadata'].pop('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    for cell in nb['cells']:
        if cell['cell_type'] != 'code': continue
        outs = []
        for out in cell.get('outputs', []):
            view = out.get('data', {}).pop(WIDGET_VIEW, None)
            if view is not None:
                html = widget_html(view.get('model_id'), state)
                if not html: continue
                out['data']['text/html'] = f'<div class="widget-static">{html}</div>'
            outs.append(out)
        cell['outputs'] = outs


def stage_notebook(src, nb_rel, copies):
    "Write the site's copy of the notebook `src` to STAGE/nb_rel."
    nb = json.loads(Path(src).read_text())
    stage_widgets(nb)
    cells = []
    for cell in nb['cells']:
        cell = stage_cell(cell)
        if cell is None: continue
        if cell['cell_type'] == 'markdown': cell = dict(cell, source=rewrite_links(_src(cell), nb_rel, copies))
        for out in cell.get('outputs', []):
            for mime in ('text/markdown', 'text/html'):
                if mime in out.get('data', {}):
                    out['data'][mime] = rewrite_links(_join(out['data'][mime]), nb_rel, copies)
        cells.append(cell)
    nb['cells'] = cells
    return write_staged(nb_rel, json.dumps(nb, indent=1).encode())


# --- API reference ---------------------------------------------------------------------------------------
def module_notebooks():
    "{module name: notebook path relative to nbs/} from each notebook's `#| default_exp`."
    out = {}
    for p in notebook_paths():
        for cell in json.loads(p.read_text())['cells']:
            m = re.search(r'^#\|\s*default_exp\s+(\S+)', _src(cell), re.M)
            if cell['cell_type'] == 'code' and m: out[f'drn_prune.{m.group(1)}'] = p.relative_to(NBS)
    return out


def stage_api_pages():
    "One markdown page per exported module (api/<module>.md); returns [(module, page path)]."
    sources = module_notebooks()
    pages = []
    for py in sorted(PKG.rglob('*.py')):
        if py.name.startswith('_'): continue
        mod = '.'.join(py.relative_to(ROOT).with_suffix('').parts)
        page = f'api/{mod}.md'
        nb = sources.get(mod)
        link = f'From the notebook [{notebook_title(NBS / nb)}](../{nb.as_posix()}).\n\n' if nb else ''
        write_staged(Path(page), f'# {mod}\n\n{link}::: {mod}\n'.encode())
        pages.append((mod, page))
    return pages


def write_staged(rel, data):
    "Write `data` to STAGE/rel unless it is there already (so `mkdocs serve` sees no change and does not rebuild)."
    dest = STAGE / rel
    if not (dest.is_file() and dest.read_bytes() == data):
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return dest


def stage():
    "Stage nbs/ into _proc/docs/; returns the nav."
    copies, staged = {}, set()
    for p in notebook_paths(): staged.add(stage_notebook(p, p.relative_to(NBS), copies))
    for rel, src in copies.items():
        if STAGE / rel in staged: raise FileExistsError(f'{rel}: a repository file shown by a notebook clashes with a page')
        staged.add(write_staged(rel, src.read_bytes()))
    api = stage_api_pages()
    staged |= {STAGE / page for _, page in api}
    for old in [p for p in STAGE.rglob('*') if p.is_file() and p not in staged]: old.unlink()   # gone from nbs/
    return build_nav(STAGE, api)


# --- MkDocs events --------------------------------------------------------------------------------------
def on_config(config):
    config['nav'] = stage()
    config['docs_dir'] = str(STAGE)
    config['watch'] = list(config.get('watch') or []) + [str(NBS)]
    return config


def on_page_content(html, page, config, files):
    """Point MathJax at the site's own copy, relative to the page. The copy (MathJax 2.7) has only the STIX-Web
    fonts; its font probe `url(about:blank)` and the hidden assistive MathML (whose fonts the copy lacks) would
    each make the browser log an error, so the probe looks for a local font and the assistive MathML is off
    (the math menu still shows the MathML)."""
    if MATHJAX_PLACEHOLDER not in html: return html
    up = '../' * page.file.url.count('/')
    config = ('{"HTML-CSS": {availableFonts: [], webFont: "STIX-Web", imageFont: null, preferredFont: null, '
              'styles: {"@font-face": {"font-family": "MathJax_Blank", src: "local(\'MathJax_Blank\')"}}}, '
              'menuSettings: {assistiveMML: false}}')
    script = (f'<script type="text/x-mathjax-config">MathJax.Hub.Config({config});</script>\n'
              f'<script src="{up}{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe">')
    return html.replace(f'<script src="{MATHJAX_PLACEHOLDER}">', script)


def on_post_build(config):
    import jupyter_server_mathjax
    src = Path(jupyter_server_mathjax.__file__).parent / 'static'
    shutil.copytree(src, Path(config['site_dir']) / MATHJAX_DIR, dirs_exist_ok=True)
