#!/usr/bin/env node
// Bundles that tsc does not make: each part adds its step here (the extension's chart renderer, ...).
