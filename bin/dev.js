#!/usr/bin/env -S node --no-warnings
// Runs src/commands/*.ts through tsx without building (oclif development mode).
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
