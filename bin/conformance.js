#!/usr/bin/env node
// The conformance kit (docs/conformance.md): tests an implementation of docs/spec.md over HTTP.
await import('../dist/conformance/cli.js');
