# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of vireo's documentation: `make htmldocs`
# (tools/docs/htmldocs.sh) renders this directory to build/htmldocs/.
#
# The kernel-doc comments of the sources come in through the kernel's own
# kerneldoc.py extension, taken from Debian's linux-source-6.12 and
# extracted by tools/docs/kernel-sphinx.sh (VIREO_KERNEL_SPHINX names the
# extraction; without it, the default cache is used), which runs
# tools/docs/kernel-doc, the kernel's scripts/kernel-doc adapted to
# VIREO_EXPORT() and failing on any warning.

import os
import sys

from sphinx.errors import ConfigError

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = os.environ.get('VIREO_KERNEL_SPHINX') or os.path.join(
    os.environ.get('VIREO_CACHE', '/var/cache/vireo'),
    'linux-source-6.12', 'htmldocs')
for need in ('Documentation/sphinx/kerneldoc.py', 'scripts/kernel-doc'):
    if not os.path.isfile(os.path.join(KERNEL, need)):
        raise ConfigError("%s missing: build with 'make htmldocs' "
                          '(tools/docs/kernel-sphinx.sh extracts it)'
                          % os.path.join(KERNEL, need))
# No __pycache__ beside the extensions: not in the source tree, not in a
# cache another user may have extracted.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(KERNEL, 'Documentation', 'sphinx'))
sys.path.insert(0, os.path.join(TOP, 'Documentation', 'sphinx'))
# Read by tools/docs/kernel-doc, which kerneldoc.py runs.
os.environ['VIREO_KERNEL_DOC'] = os.path.join(KERNEL, 'scripts', 'kernel-doc')

project = 'vireo'
copyright = 'the vireo authors; GPL-2.0'
version = release = ''
root_doc = 'index'
exclude_patterns = ['sphinx']

# automarkup (the kernel's too) links plain-text func(), struct foo and
# foo.rst to what the pages declare, silently leaving the rest as text.
extensions = ['kerneldoc', 'automarkup', 'vireo_exports']
kerneldoc_bin = os.path.join(TOP, 'tools', 'docs', 'kernel-doc')
kerneldoc_srctree = TOP
# Print kernel-doc's stderr only when it failed (then as a warning).
kerneldoc_verbosity = 0
# The files whose VIREO_EXPORT()s must each be documented on some page
# (Documentation/sphinx/vireo_exports.py), relative to kerneldoc_srctree.
vireo_export_sources = ['virtio_core/*.c', 'virtio_ring/*.c']

# A reference to one of vireo's own C names that no page declares is a
# broken link: warn about those (-n). The kernel's types and functions the
# comments name (struct device, gfp_t, ...) are not declared here.
nitpicky = True
nitpick_ignore_regex = [(r'c:.*', r'(?!vireo).*')]

# As the kernel's: C is the language of the API, literal blocks are
# shown as they are (they hold shell, C and tables alike).
primary_domain = 'c'
highlight_language = 'none'
# Kernel annotations that may remain in prototypes kernel-doc emits.
c_id_attributes = ['__iomem', '__user', '__rcu', '__percpu', '__force',
                   '__must_check', '__always_inline', '__maybe_unused',
                   '__printf', '__cold', '__init', '__exit']
c_paren_attributes = ['__printf', '__aligned']

html_theme = 'alabaster'
html_title = 'vireo: a legacy virtio guest stack'
html_theme_options = {
    'description': 'legacy virtio guest modules for Debian kernels',
    'page_width': '1100px',
    'sidebar_width': '230px',
}
html_sidebars = {'**': ['about.html', 'navigation.html', 'searchbox.html']}
html_static_path = ['_static']
html_css_files = ['vireo.css']
# The installed tree (/usr/share/doc/vireo) holds the HTML alone.
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
