import { describe, expect, it } from 'vitest'
import { DeadlineSweep } from '../../src/http/deadline-sweep.ts'

/** A sweep of strings that records what it hands out, driven tick by tick (no clock). */
function sweepOf (ticksPerDeadline: number): { sweep: DeadlineSweep<string>, overdue: string[] } {
  const overdue: string[] = []
  return { sweep: new DeadlineSweep<string>(1000, (item) => { overdue.push(item) }, ticksPerDeadline), overdue }
}

describe('DeadlineSweep', () => {
  it('ticks a tenth of the deadline by default', () => {
    expect(new DeadlineSweep<string>(10_000, () => {}).tickMs).toBe(1000)
    expect(sweepOf(4).sweep.tickMs).toBe(250)
  })

  it('hands an item out only once a whole deadline of ticks has passed after the tick it came in', () => {
    const { sweep, overdue } = sweepOf(4)
    sweep.add('a')
    // Added somewhere within the current tick: four more ticks could still be less than the deadline.
    for (let i = 0; i < 4; i++) sweep.tick()
    expect(overdue).toEqual([])
    sweep.tick()
    expect(overdue).toEqual(['a'])
    // Once.
    for (let i = 0; i < 10; i++) sweep.tick()
    expect(overdue).toEqual(['a'])
  })

  it('never hands out an item removed before its deadline', () => {
    const { sweep, overdue } = sweepOf(4)
    const answered = sweep.add('answered')
    sweep.add('waiting')
    sweep.tick()
    sweep.remove(answered)
    for (let i = 0; i < 10; i++) sweep.tick()
    expect(overdue).toEqual(['waiting'])
  })

  it('ignores a second removal and a removal after the item was handed out', () => {
    const { sweep, overdue } = sweepOf(2)
    const first = sweep.add('first')
    sweep.tick()
    const second = sweep.add('second')
    sweep.add('third')
    sweep.remove(second)
    // Were `second` unlinked again, the list would lose its neighbours and never hand them out.
    sweep.remove(second)
    for (let i = 0; i < 2; i++) sweep.tick()
    expect(overdue).toEqual(['first'])
    sweep.remove(first)
    sweep.add('fourth')
    for (let i = 0; i < 4; i++) sweep.tick()
    expect(overdue).toEqual(['first', 'third', 'fourth'])
  })

  it('hands items out tick by tick, in the order their deadlines pass', () => {
    const { sweep, overdue } = sweepOf(2)
    sweep.add('first')
    sweep.tick()
    sweep.add('second')
    sweep.add('third')
    sweep.tick()
    expect(overdue).toEqual([])
    sweep.tick()
    expect(overdue).toEqual(['first'])
    sweep.tick()
    expect(overdue).toEqual(['first', 'second', 'third'])
  })

  it('starts a full deadline for an item added while overdue ones are handed out', () => {
    const overdue: string[] = []
    const sweep: DeadlineSweep<string> = new DeadlineSweep<string>(1000, (item) => {
      overdue.push(item)
      if (item === 'a') sweep.add('b')
    }, 2)
    sweep.add('a')
    for (let i = 0; i < 3; i++) sweep.tick()
    expect(overdue).toEqual(['a'])
    sweep.tick()
    sweep.tick()
    expect(overdue).toEqual(['a'])
    sweep.tick()
    expect(overdue).toEqual(['a', 'b'])
  })
})
