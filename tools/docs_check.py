"""Check the built documentation site (_docs/) in headless Chromium: `make docs-test` runs this after `make docs`.

Serves the site on 127.0.0.1 (a free port) and loads the home page, the maze study, one API notebook and one
data notebook. On each it checks the page title and heading against the notebook's `# Title`, that the sidebar
lists every notebook under nbs/, that every <img> loaded, that typeset math rendered, that the browser console
has no errors, and that nothing was fetched from outside the site. Over every page of the site it checks that
relative links and images point at files that exist. Saves screenshots of the home and maze pages.
Prints a report and exits 1 on any failure.

    python tools/docs_check.py [--site _docs] [--shots figures/site] [--quick]
"""
import argparse, functools, html.parser, json, os, re, sys, threading, time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SITE_NAME = 'drn_prune'
PAGES = {'home': 'index.ipynb', 'maze': 'maze.ipynb', 'api': '11_criteria.ipynb', 'data': 'data/02_mazes.ipynb'}
SHOTS = {'home': 'home.png', 'maze': 'maze.png'}
MATH = re.compile(r'\$[^$\n]+\$')


def notebooks(nbs):
    "Every notebook under nbs/ (recursive), except checkpoints and papermill outputs: each must be a page."
    return sorted(p.relative_to(nbs) for p in nbs.rglob('*.ipynb')
                  if not any(part.startswith('.') for part in p.relative_to(nbs).parts) and not p.stem.endswith('_out'))


def markdown_sources(path):
    cells = json.loads(Path(path).read_text())['cells']
    return [''.join(c['source']) if isinstance(c['source'], list) else c['source']
            for c in cells if c['cell_type'] == 'markdown']


def title_of(path):
    "The first `# Title` line of the notebook."
    for text in markdown_sources(path):
        for line in text.splitlines():
            if line.startswith('# '): return re.sub(r'[`*]', '', line[2:]).strip()
    return None


def page_url(rel):
    return rel.with_suffix('.html').as_posix()


# --- a quiet static server that remembers what it could not serve ------------------------------------------
def serve(site):
    missing = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args): pass

        def log_error(self, fmt, *args): pass

        def send_error(self, code, *args, **kw):
            missing.append(f'{code} {self.path}')
            super().send_error(code, *args, **kw)

    server = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_address[1]}/', missing


# --- links and images in the built HTML (every page, no browser) ---------------------------------------------
class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if v and ((k == 'href' and tag in ('a', 'link')) or (k == 'src' and tag in ('img', 'script'))):
                self.refs.append((tag, v))


def broken_links(site):
    "Relative links, stylesheets, scripts and images in the site's pages that point at no file."
    bad = []
    for page in sorted(site.rglob('*.html')):
        if 'assets' in page.relative_to(site).parts: continue
        parser = Refs()
        parser.feed(page.read_text(errors='replace'))
        for tag, ref in parser.refs:
            if re.match(r'^[a-z][\w+.-]*:|^#|^//', ref, re.I): continue      # URL, data:, anchor
            path = unquote(urlsplit(ref).path)
            if not path: continue
            target = (page.parent / path) if not path.startswith('/') else site / path.lstrip('/')
            if target.is_dir(): target = target / 'index.html'
            if not target.exists(): bad.append(f'{page.relative_to(site)}: <{tag}> {ref}')
    return bad


# --- the browser --------------------------------------------------------------------------------------------
def browser(chromium, chromedriver):
    os.environ['SE_OFFLINE'] = 'true'     # selenium-manager must never download a driver or browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--window-size=1280,1000',
              '--hide-scrollbars', '--no-first-run', '--disable-background-networking', '--disable-extensions'):
        opts.add_argument(a)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=chromedriver))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


WAIT_MATH = """const done = arguments[arguments.length - 1];
const fonts = () => document.fonts.ready.then(() => setTimeout(done, 500, !!window.MathJax));
if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(fonts); else fonts();"""
IMAGES = """return Array.from(document.images).map(i => [i.getAttribute('src').slice(0, 120), i.complete, i.naturalWidth]);"""
RESOURCES = """return performance.getEntriesByType('resource').map(e => e.name);"""


def check_page(driver, base, key, rel, nbs, expected_urls):
    "Load one page; returns (list of failures, one-line summary)."
    fails = []
    url = urljoin(base, page_url(rel))
    driver.get(url)
    math_loaded = driver.execute_async_script(WAIT_MATH)
    title = title_of(nbs / rel)
    want = SITE_NAME if rel == Path('index.ipynb') else f'{title} - {SITE_NAME}'
    if driver.title != want: fails.append(f'page title {driver.title!r}, expected {want!r}')
    h1 = driver.execute_script("const h = document.querySelector('article h1'); return h ? h.textContent : null;")
    if h1 is None or h1.replace('¶', '').strip() != title: fails.append(f'first heading {h1!r}, expected {title!r}')
    links = set(driver.execute_script(
        "return Array.from(document.querySelectorAll('nav.md-nav--primary a.md-nav__link[href]')).map(a => a.href);"))
    links = {u.split('#')[0] for u in links}
    missing = [u for u in expected_urls if u not in links]
    if missing: fails.append(f'sidebar lacks {len(missing)} notebook(s): ' + ', '.join(u[len(base):] for u in missing))
    imgs = driver.execute_script(IMAGES)
    broken = [src for src, complete, width in imgs if not complete or not width]
    if broken: fails.append(f'{len(broken)} of {len(imgs)} images did not load: ' + ', '.join(broken))
    n_math = driver.execute_script("return document.querySelectorAll('.MathJax, .MathJax_Display').length;")
    n_math_err = driver.execute_script("return document.querySelectorAll('.MathJax_Error, merror').length;")
    math_in_source = any(MATH.search(t) for t in markdown_sources(nbs / rel))
    if math_in_source and not (math_loaded and n_math): fails.append('the notebook has $math$ but none was typeset')
    if n_math_err: fails.append(f'{n_math_err} MathJax errors')
    severe = [e['message'] for e in driver.get_log('browser') if e['level'] == 'SEVERE']
    if severe: fails.append(f'{len(severe)} console errors: ' + ' | '.join(severe))
    outside = [u for u in driver.execute_script(RESOURCES) if not u.startswith(base) and not u.startswith('data:')]
    if outside: fails.append('fetched from outside the site: ' + ', '.join(sorted(set(outside))))
    summary = (f'{key:5s} {page_url(rel):34s} title ok={driver.title == want}  sidebar {len(expected_urls) - len(missing)}'
               f'/{len(expected_urls)} notebooks  images {len(imgs) - len(broken)}/{len(imgs)} loaded  '
               f'math {n_math}  console errors {len(severe)}')
    return fails, summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--site', default=str(ROOT / '_docs'))
    ap.add_argument('--nbs', default=str(ROOT / 'nbs'))
    ap.add_argument('--shots', default=str(ROOT / 'figures' / 'site'), help='folder for home.png and maze.png')
    ap.add_argument('--quick', action='store_true', help='load only the four named pages in the browser')
    ap.add_argument('--chromium', default='/usr/bin/chromium')
    ap.add_argument('--chromedriver', default='/usr/bin/chromedriver')
    args = ap.parse_args(argv)
    site, nbs, shots = Path(args.site), Path(args.nbs), Path(args.shots)
    if not (site / 'index.html').is_file(): sys.exit(f'FAIL: {site}/index.html not found: run `make docs` first')
    t0 = time.time()
    failures = []
    nb_rels = notebooks(nbs)
    untitled = [str(r) for r in nb_rels if title_of(nbs / r) is None]
    if untitled: failures.append(f'notebooks without a "# Title": {untitled}')
    no_page = [str(r) for r in nb_rels if not (site / page_url(r)).is_file()]
    if no_page: failures.append(f'notebooks with no page in {site}: {no_page}')
    bad = broken_links(site)
    if bad: failures.append(f'{len(bad)} broken relative links or images in the HTML:\n      ' + '\n      '.join(bad))
    print(f'{len(nb_rels)} notebooks, {len(list(site.rglob("*.html")))} HTML pages; '
          f'links checked on every page: {len(bad)} broken')

    server, base, not_served = serve(site)
    driver = browser(args.chromium, args.chromedriver)
    try:
        expected = [urljoin(base, page_url(r)) for r in nb_rels]
        for key, nb in PAGES.items():
            if not (nbs / nb).is_file(): failures.append(f'{key}: {nbs / nb} does not exist')
        named = {Path(nb): key for key, nb in PAGES.items() if (nbs / nb).is_file()}
        others = [] if args.quick else [r for r in nb_rels if r not in named and (site / page_url(r)).is_file()]
        print(f'browser: the {len(named)} named pages, then the other {len(others)} notebook pages')
        for rel, key in list(named.items()) + [(r, '') for r in others]:
            fails, summary = check_page(driver, base, key, rel, nbs, expected)
            print(('ok   ' if not fails else 'FAIL ') + summary)
            failures += [f'{page_url(rel)}: {f}' for f in fails]
            if key in SHOTS:
                shots.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(shots / SHOTS[key]))
                print(f'      screenshot {shots / SHOTS[key]}')
    finally:
        driver.quit()
        server.shutdown()
    if not_served: failures.append('the server could not serve: ' + ', '.join(sorted(set(not_served))))
    print(f'browser check took {time.time() - t0:.1f}s')
    if failures:
        print(f'\nFAIL: {len(failures)} problem(s) with the site:')
        for f in failures: print('  - ' + f)
        return 1
    print('site ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
