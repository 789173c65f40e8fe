#!/usr/bin/env python3
# Checks that every relative link in README.md, tools/lab/README.md and docs/*.md
# resolves to a file and, for #anchors into Markdown, to a heading (GitHub slugs).
# Run from the repository top: python3 docs/check-links.py
import re, os, sys
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
def slug(h):
    h = h.strip().lower()
    h = re.sub(r'[^\w\- ]', '', h)   # GitHub: drop punctuation except - and _
    return h.replace(' ', '-')
def anchors(path):
    out=set(); incode=False
    for l in open(path):
        if l.startswith('```'): incode=not incode
        if not incode and re.match(r'#{1,6} ', l): out.add(slug(l.lstrip('#')))
    return out
files=['README.md','tools/lab/README.md']+['docs/'+f for f in sorted(os.listdir('docs')) if f.endswith('.md')]
bad=0; n=0
for f in files:
    text=open(f).read()
    text=re.sub(r'```.*?```','',text,flags=re.S)
    for m in re.finditer(r'\]\(([^)\s]+)\)', text):
        t=m.group(1)
        if re.match(r'[a-z]+://', t): continue
        n+=1
        p,_,a=t.partition('#')
        tgt=os.path.normpath(os.path.join(os.path.dirname(f), p)) if p else f
        if not os.path.exists(tgt): print(f'{f}: missing {t}'); bad+=1; continue
        if a and tgt.endswith('.md') and a not in anchors(tgt): print(f'{f}: no anchor {t}'); bad+=1
print(f'{n} relative links checked, {bad} broken'); sys.exit(1 if bad else 0)
