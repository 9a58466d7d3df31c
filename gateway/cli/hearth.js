#!/usr/bin/env node
// The `hearth` command. TypeScript runs directly through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('./program.ts');
