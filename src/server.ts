#!/usr/bin/env node
// `node dist/server.js [--config PATH]`: the container's entry point. It checks the Node version
// before loading anything else (supported-node.ts says why), then starts the server.
import { exitUnlessSupportedNode } from './supported-node.ts'

exitUnlessSupportedNode()
const { exitOnStartupError, startServer } = await import('./start-server.ts')
const index = process.argv.indexOf('--config')
startServer(index === -1 ? undefined : process.argv[index + 1], process.env).catch(exitOnStartupError)
