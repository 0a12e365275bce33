// Small geometry: great-circle distance for duplicate detection and an equirectangular projection
// of the kecamatan boundaries (GeoJSON) into an SVG map, with no tile server.

/** Metres between two points (haversine). Coordinates are decimal-degree strings or numbers. */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const R = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

export type Ring = Array<[number, number]>;
export interface Feature {
  properties: { kode: string; nama: string };
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
}

export function rings(f: Feature): Ring[] {
  return f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat();
}

export interface Projection {
  width: number;
  height: number;
  xy(lon: number, lat: number): [number, number];
}

/** Fit the features into a box `width` wide (equirectangular, corrected for latitude). */
export function fit(features: Feature[], width = 640, pad = 8): Projection {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const f of features)
    for (const r of rings(f))
      for (const [x, y] of r) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const scale = (width - 2 * pad) / ((maxX - minX) * k || 1);
  const height = Math.round((maxY - minY) * scale + 2 * pad);
  return {
    width,
    height,
    xy: (lon, lat) => [
      Math.round(((lon - minX) * k * scale + pad) * 10) / 10,
      Math.round(((maxY - lat) * scale + pad) * 10) / 10,
    ],
  };
}

export function pathOf(f: Feature, p: Projection): string {
  return rings(f)
    .map((r) => 'M' + r.map(([x, y]) => p.xy(x, y).join(',')).join('L') + 'Z')
    .join('');
}

/** The centre of a feature's outer rings (the mean of their vertices). */
export function centreOf(f: Feature): [number, number] {
  const pts = rings(f).flat();
  const lon = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const lat = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  return [lon, lat];
}
