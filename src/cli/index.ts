#!/usr/bin/env node
// `cpxd`: checks the Node version before loading anything else (supported-node.ts says why).
import { exitUnlessSupportedNode } from '../supported-node.ts'

exitUnlessSupportedNode()
const { runCli } = await import('./run-cli.ts')
await runCli(process.argv.slice(2))
