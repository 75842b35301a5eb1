/**
 * The routes of a large network, drawn on a canvas of their own under Cytoscape's nodes.
 *
 * Cytoscape draws each edge as an element with its own style, geometry and label: about 30 µs an edge per frame
 * here, so 20,000 routes took seconds to create and most of a second for every redraw (a click, a highlight),
 * and the page froze. Above BULK_ROUTES routes, Cytoscape gets the sites only and this layer draws every route
 * in a few batched canvas paths (one-way, two-way dashed, used paths on top), with arrowheads and distances once
 * zoomed in far enough to see them, and only what is in view. It follows Cytoscape's pan and zoom.
 */
import { formatDistance, routeEdge, type Position } from './graph'
import { routeEnds, type Route } from './types'

/** Above this many routes the routes are drawn by this layer, not as Cytoscape edges. */
export const BULK_ROUTES = 2000

/** Node half-size in model units: where a line stops short of its site. */
const SITE_RADIUS = 26
const ARROW_LENGTH = 10
const ARROW_WIDTH = 7
const LABEL_FONT = 11
/** Arrowheads and distances appear once they would be this many screen pixels or more. */
const MIN_ARROW_PX = 4
const MIN_LABEL_PX = 8
const MAX_LABELS = 3000

export interface RouteGeometry {
  ids: string[]
  /** x1, y1, x2, y2 per route, in model coordinates, already cut at the sites' borders. */
  coords: Float64Array
  twoWay: Uint8Array
  labels: string[]
}

export interface Viewport {
  zoom: number
  panX: number
  panY: number
  width: number
  height: number
  pixelRatio: number
}

/** Where each route runs (between its sites' positions, stopping at their borders). */
export function routeGeometry(routes: Route[], positions: Map<string, Position>): RouteGeometry {
  const kept = routes.filter((route) => {
    const [from, to] = routeEnds(route)
    return positions.has(from) && positions.has(to)
  })
  const coords = new Float64Array(kept.length * 4)
  const twoWay = new Uint8Array(kept.length)
  kept.forEach((route, index) => {
    const [from, to] = routeEnds(route)
    const a = positions.get(from) as Position
    const b = positions.get(to) as Position
    const dx = b.x - a.x
    const dy = b.y - a.y
    const length = Math.hypot(dx, dy) || 1
    const cut = Math.min(SITE_RADIUS, length / 3) / length
    coords.set([a.x + dx * cut, a.y + dy * cut, b.x - dx * cut, b.y - dy * cut], index * 4)
    twoWay[index] = route.two_way ? 1 : 0
  })
  return {
    ids: kept.map((route) => routeEdge(route.id)),
    coords,
    twoWay,
    labels: kept.map((route) => (route.two_way ? '⇄ ' : '') + formatDistance(route.distance_m)),
  }
}

/** Indexes of the routes with any part in view (a bounding-box test: cheap, and never misses one). */
export function visibleRoutes(geometry: RouteGeometry, view: Viewport): number[] {
  const left = -view.panX / view.zoom
  const top = -view.panY / view.zoom
  const right = (view.width - view.panX) / view.zoom
  const bottom = (view.height - view.panY) / view.zoom
  const { coords } = geometry
  const visible: number[] = []
  for (let index = 0; index < geometry.ids.length; index += 1) {
    const x1 = coords[index * 4] as number
    const y1 = coords[index * 4 + 1] as number
    const x2 = coords[index * 4 + 2] as number
    const y2 = coords[index * 4 + 3] as number
    if (Math.max(x1, x2) >= left && Math.min(x1, x2) <= right && Math.max(y1, y2) >= top && Math.min(y1, y2) <= bottom) {
      visible.push(index)
    }
  }
  return visible
}

function arrowhead(context: CanvasRenderingContext2D, x: number, y: number, fromX: number, fromY: number): void {
  const length = Math.hypot(x - fromX, y - fromY) || 1
  const ux = (x - fromX) / length
  const uy = (y - fromY) / length
  context.moveTo(x, y)
  context.lineTo(x - ux * ARROW_LENGTH - uy * (ARROW_WIDTH / 2), y - uy * ARROW_LENGTH + ux * (ARROW_WIDTH / 2))
  context.lineTo(x - ux * ARROW_LENGTH + uy * (ARROW_WIDTH / 2), y - uy * ARROW_LENGTH - ux * (ARROW_WIDTH / 2))
  context.closePath()
}

interface Pass {
  indexes: number[]
  color: string
  width: number
  dash: number[]
  alpha: number
}

/** Draws the routes in view: `used` ones (orange) and the `chosen` one (blue) over the rest. */
export function drawRoutes(
  context: CanvasRenderingContext2D,
  geometry: RouteGeometry,
  view: Viewport,
  used: ReadonlySet<string>,
  chosen: string | null,
): number {
  const { zoom, pixelRatio } = view
  context.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0)
  context.clearRect(0, 0, view.width, view.height)
  context.setTransform(zoom * pixelRatio, 0, 0, zoom * pixelRatio, view.panX * pixelRatio, view.panY * pixelRatio)
  const visible = visibleRoutes(geometry, view)
  const pixel = 1 / zoom
  const plain: number[] = []
  const twoWay: number[] = []
  const marked: number[] = []
  const picked: number[] = []
  for (const index of visible) {
    const id = geometry.ids[index] as string
    if (id === chosen) picked.push(index)
    else if (used.has(id)) marked.push(index)
    else if (geometry.twoWay[index]) twoWay.push(index)
    else plain.push(index)
  }
  // Zoomed far out thousands of lines overlap: fainter, so the sites stay readable.
  const faint = visible.length > 2000 && zoom < 0.3
  const passes: Pass[] = [
    { indexes: plain, color: '#6b7280', width: Math.max(1.5, 0.6 * pixel), dash: [], alpha: faint ? 0.35 : 1 },
    { indexes: twoWay, color: '#0f766e', width: Math.max(1.5, 0.6 * pixel), dash: [6, 4], alpha: faint ? 0.45 : 1 },
    { indexes: marked, color: '#c2410c', width: Math.max(5, 2.5 * pixel), dash: [], alpha: 1 },
    { indexes: picked, color: '#1d4e89', width: Math.max(4, 2.5 * pixel), dash: [], alpha: 1 },
  ]
  const { coords } = geometry
  const arrows = ARROW_LENGTH * zoom >= MIN_ARROW_PX
  for (const pass of passes) {
    if (!pass.indexes.length) continue
    context.globalAlpha = pass.alpha
    context.strokeStyle = pass.color
    context.fillStyle = pass.color
    context.lineWidth = pass.width
    context.setLineDash(pass.dash)
    context.beginPath()
    for (const index of pass.indexes) {
      context.moveTo(coords[index * 4] as number, coords[index * 4 + 1] as number)
      context.lineTo(coords[index * 4 + 2] as number, coords[index * 4 + 3] as number)
    }
    context.stroke()
    if (arrows) {
      context.setLineDash([])
      context.beginPath()
      for (const index of pass.indexes) {
        const [x1, y1, x2, y2] = [coords[index * 4], coords[index * 4 + 1], coords[index * 4 + 2], coords[index * 4 + 3]] as number[]
        arrowhead(context, x2 as number, y2 as number, x1 as number, y1 as number)
        if (geometry.twoWay[index]) arrowhead(context, x1 as number, y1 as number, x2 as number, y2 as number)
      }
      context.fill()
    }
  }
  context.globalAlpha = 1
  context.setLineDash([])
  if (LABEL_FONT * zoom >= MIN_LABEL_PX) drawLabels(context, geometry, visible.slice(0, MAX_LABELS))
  return visible.length
}

function drawLabels(context: CanvasRenderingContext2D, geometry: RouteGeometry, indexes: number[]): void {
  const { coords } = geometry
  context.font = `${LABEL_FONT}px system-ui, sans-serif`
  context.textAlign = 'center'
  context.textBaseline = 'middle'
  for (const index of indexes) {
    const x = ((coords[index * 4] as number) + (coords[index * 4 + 2] as number)) / 2
    const y = ((coords[index * 4 + 1] as number) + (coords[index * 4 + 3] as number)) / 2
    const text = geometry.labels[index] as string
    const width = context.measureText(text).width + 4
    context.fillStyle = '#f4f6f8'
    context.fillRect(x - width / 2, y - LABEL_FONT / 2 - 1, width, LABEL_FONT + 2)
    context.fillStyle = '#374151'
    context.fillText(text, x, y)
  }
}
