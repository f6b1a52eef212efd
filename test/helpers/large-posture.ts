import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The attack findings' large tenant: `acme.yaml` in `postureDir` with one SOC 2 framework of
 * `controls` controls and `items` local evidence items (one small file each in `evidenceDir`), each
 * item supporting every seventh control. Its auditor answer is about 180 bytes a control.
 */
export function writeLargeTenant (postureDir: string, evidenceDir: string, { controls, items }: { controls: number, items: number }): void {
  for (let i = 0; i < items; i++) writeFileSync(join(evidenceDir, `item-${i}.txt`), `evidence ${i}\n`)
  writeFileSync(join(postureDir, 'acme.yaml'), [
    'frameworks:',
    '  - { name: SOC2, status: partial, score: 0.9, controls: [',
    ...Array.from({ length: controls }, (_, i) => `      { id: C${i}, title: "Control ${i}: access reviews, logging and change management", status: compliant },`),
    '    ] }',
    'evidence:',
    ...Array.from({ length: items }, (_, i) => `  - { id: item-${i}, description: "Evidence ${i}", backend: local, location: item-${i}.txt, controls: [C${i * 7}] }`)
  ].join('\n'))
}
