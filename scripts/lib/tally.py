#!/usr/bin/env python3
"""Counts test results of one `meson test` run: one line per GoogleTest case, one per other test.

usage: tally.py BUILD_DIR LABEL  -> prints "passed failed skipped" and lists failures on stderr.
GoogleTest suites (protocol 'gtest') leave BUILD_DIR/<test name>.xml; each <testcase> counts.
Every other test counts once, by meson's verdict (exit 77 is a skip, with its reason in the log).
"""
import json
import os
import sys
import xml.etree.ElementTree as et

build, label = sys.argv[1], sys.argv[2]
log = os.path.join(build, 'meson-logs', 'testlog.json')
passed = failed = skipped = 0
if os.path.exists(log):
    for line in open(log, encoding='utf-8'):
        entry = json.loads(line)
        # meson names a test 'project:suite+suite / name' when it is in several suites
        name, result = entry['name'].split(' / ')[-1], entry['result']
        xml = os.path.join(build, name + '.xml')
        cases = []
        if os.path.exists(xml) and os.path.getmtime(xml) >= os.path.getmtime(log) - 3600:
            try:
                cases = et.parse(xml).getroot().iter('testcase')
            except et.ParseError:
                cases = []
        counted = False
        for case in cases:
            counted = True
            if case.find('failure') is not None or case.find('error') is not None:
                failed += 1
                print(f'  FAIL {label}: {name}: {case.get("classname")}.{case.get("name")}', file=sys.stderr)
            elif case.get('result') == 'skipped' or case.find('skipped') is not None:
                skipped += 1
            else:
                passed += 1
        # A gtest binary that crashed may have written no XML, or an XML with every case passed
        # before the crash: meson's verdict on the process still counts.
        if result in ('OK', 'EXPECTEDFAIL'):
            passed += 0 if counted else 1
        elif result == 'SKIP':
            skipped += 0 if counted else 1
            print(f'  SKIP {label}: {name}', file=sys.stderr)
        else:
            failed += 1
            print(f'  FAIL {label}: {name} ({result})', file=sys.stderr)
print(passed, failed, skipped)
