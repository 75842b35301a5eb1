import { describe, expect, it } from 'vitest'

import type { Route } from '@/api/types'
import { drawRoutes, routeGeometry, visibleRoutes, type Viewport } from '@/waste/routeLayer'

const ref = (id: number, name: string) => ({ id, name })
const route = (id: number, from: number, to: number, twoWay = false): Route => ({
  id,
  from_organization: null,
  from_storage: ref(from, `s${from}`),
  to_storage: ref(to, `s${to}`),
  distance_m: 100 * id,
  two_way: twoWay,
})

/** Counts what is drawn, as a CanvasRenderingContext2D would be asked to. */
function recordingContext() {
  const calls: Record<string, number> = {}
  const texts: string[] = []
  const count = (name: string) => () => {
    calls[name] = (calls[name] ?? 0) + 1
  }
  const context = {
    setTransform: count('setTransform'),
    clearRect: count('clearRect'),
    beginPath: count('beginPath'),
    moveTo: count('moveTo'),
    lineTo: count('lineTo'),
    closePath: count('closePath'),
    stroke: count('stroke'),
    fill: count('fill'),
    setLineDash: count('setLineDash'),
    fillRect: count('fillRect'),
    fillText: (text: string) => texts.push(text),
    measureText: (text: string) => ({ width: text.length * 6 }),
  }
  return { context: context as unknown as CanvasRenderingContext2D, calls, texts }
}

const VIEW: Viewport = { zoom: 1, panX: 0, panY: 0, width: 800, height: 600, pixelRatio: 1 }

describe('the route layer of large networks', () => {
  const positions = new Map([
    ['s1', { x: 0, y: 0 }],
    ['s2', { x: 200, y: 0 }],
    ['s3', { x: 5000, y: 5000 }],
  ])

  it('runs each route between its sites, stopping at their borders; routes to unknown sites are left out', () => {
    const geometry = routeGeometry([route(1, 1, 2), route(2, 2, 3, true), route(3, 1, 99)], positions)

    expect(geometry.ids).toEqual(['r1', 'r2'])
    expect([...geometry.coords.slice(0, 4)]).toEqual([26, 0, 174, 0])
    expect([...geometry.twoWay]).toEqual([0, 1])
    expect(geometry.labels).toEqual(['100 m', '⇄ 200 m'])
  })

  it('draws only what is in view', () => {
    const geometry = routeGeometry([route(1, 1, 2), route(2, 3, 3)], positions)
    expect(visibleRoutes(geometry, VIEW)).toEqual([0])
    expect(visibleRoutes(geometry, { ...VIEW, panX: -4900, panY: -4900 })).toEqual([1])
    expect(visibleRoutes(geometry, { ...VIEW, zoom: 0.1 })).toEqual([0, 1])
  })

  it('draws 20,000 routes in a handful of batched paths; arrows and distances only once big enough to see', () => {
    const many = new Map<string, { x: number; y: number }>()
    for (let site = 1; site <= 1000; site += 1) many.set(`s${site}`, { x: (site % 40) * 170, y: Math.floor(site / 40) * 100 })
    const routes = Array.from({ length: 20000 }, (_, index) => route(index + 1, (index % 1000) + 1, ((index * 7) % 1000) + 1 || 2, index % 9 === 0))
    const geometry = routeGeometry(routes, many)

    const far = recordingContext()
    const started = performance.now()
    const drawn = drawRoutes(far.context, geometry, { ...VIEW, zoom: 0.1 }, new Set(['r5']), 'r6')
    const elapsed = performance.now() - started
    expect(drawn).toBe(20000)
    expect(far.calls.stroke).toBe(4) // one-way, two-way, used, chosen
    expect(far.calls.fill ?? 0).toBe(0) // arrows would be 1 px: not drawn
    expect(far.texts).toHaveLength(0)
    expect(elapsed).toBeLessThan(500)

    const near = recordingContext()
    drawRoutes(near.context, geometry, { ...VIEW, zoom: 1 }, new Set(), null)
    expect(near.calls.stroke).toBe(2)
    expect(near.calls.fill).toBe(2) // one batch of arrowheads per pass
    expect(near.texts.length).toBeGreaterThan(0)
    expect(near.texts.length).toBeLessThanOrEqual(3000)
  })
})
