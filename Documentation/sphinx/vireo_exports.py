# SPDX-License-Identifier: GPL-2.0
#
# Every function vireo exports must appear in the HTML: a warning (an
# error under sphinx-build -W) names each VIREO_EXPORT(sym) of the files
# in the config value vireo_export_sources (globs relative to
# kerneldoc_srctree) that no page declares as a C function, i.e. that no
# kernel-doc directive pulled in. The pages mostly list identifiers by
# audience, so a new export would otherwise be left out silently.

import glob
import os
import re

from sphinx.util import logging

EXPORT = re.compile(r'^\s*VIREO_EXPORT\(\s*(\w+)\s*\)\s*;', re.M)
logger = logging.getLogger('vireo_exports')


def exports(srctree, patterns):
    """{symbol: file} for every VIREO_EXPORT of the files."""
    found = {}
    for pattern in patterns:
        files = sorted(glob.glob(os.path.join(srctree, pattern)))
        if not files:
            logger.warning('vireo_export_sources: %s matches no file in %s',
                           pattern, srctree)
        for path in files:
            with open(path, encoding='utf-8') as src:
                for sym in EXPORT.findall(src.read()):
                    found[sym] = os.path.relpath(path, srctree)
    return found


def check_exports(app, env):
    documented = {name for name, _, objtype, *_ in
                  env.get_domain('c').get_objects() if objtype == 'function'}
    srctree = app.config.kerneldoc_srctree
    for sym, path in sorted(exports(srctree,
                                    app.config.vireo_export_sources).items()):
        if sym not in documented:
            logger.warning('%s: exported %s() is on no page (add it to a '
                           'kernel-doc directive)', path, sym)


def setup(app):
    app.add_config_value('vireo_export_sources', [], 'env')
    app.connect('env-check-consistency', check_exports)
    return {'version': '1', 'parallel_read_safe': True,
            'parallel_write_safe': True}
