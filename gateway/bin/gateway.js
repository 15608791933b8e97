#!/usr/bin/env node
// A committed shim, so the bin link exists (and is executable) before `tsc -b` has built dist/.
import '../dist/process/cli.js';
