import { describe, expect, it } from 'vitest'
import { WindowCounter } from '../../src/http/window-counter.ts'

describe('WindowCounter', () => {
  it('counts per key and says when a key is past its maximum, with the time left in its window', () => {
    const counter = new WindowCounter(2, 1000, 100)
    expect(counter.hit('a', 0)).toEqual({ exceeded: false, ttl: 1000 })
    expect(counter.hit('a', 100)).toEqual({ exceeded: false, ttl: 900 })
    expect(counter.hit('b', 100)).toEqual({ exceeded: false, ttl: 1000 })
    expect(counter.hit('a', 200)).toEqual({ exceeded: true, ttl: 800 })
  })

  it('starts a new window once the old one has ended', () => {
    const counter = new WindowCounter(1, 1000, 100)
    counter.hit('a', 0)
    expect(counter.hit('a', 999).exceeded).toBe(true)
    expect(counter.hit('a', 1000)).toEqual({ exceeded: false, ttl: 1000 })
  })

  it('holds at most its capacity of keys however many it sees', () => {
    const counter = new WindowCounter(5, 60_000, 10)
    for (let i = 0; i < 1000; i++) counter.hit(`flood-${i}`, 0)
    expect(counter.size).toBeLessThanOrEqual(10)
  })

  it('keeps the count of a key seen among a flood of new ones, and forgets one not seen since', () => {
    const counted = new WindowCounter(3 + 250 + 1, 60_000, 10)
    for (let i = 0; i < 3; i++) counted.hit('active', 0)
    for (let i = 0; i < 1000; i++) {
      counted.hit(`flood-${i}`, 0)
      // The active key is seen at least once in every half-capacity of new keys.
      if (i % 4 === 0) counted.hit('active', 0)
    }
    // 3 + 250 hits so far: the next is within the maximum, the one after is past it.
    expect(counted.hit('active', 0).exceeded).toBe(false)
    expect(counted.hit('active', 0).exceeded).toBe(true)
    // A forgotten key starts again from zero.
    const forgetful = new WindowCounter(1, 60_000, 10)
    forgetful.hit('idle', 0)
    for (let i = 0; i < 20; i++) forgetful.hit(`flood-${i}`, 0)
    expect(forgetful.hit('idle', 0).exceeded).toBe(false)
  })
})
