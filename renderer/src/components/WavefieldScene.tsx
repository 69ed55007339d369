/**
 * The three.js side of the wavefield view: a pressure snapshot as a displaced, coloured surface, or
 * three orthogonal slices through the x–z–t volume, with the source and receivers marked and orbit
 * controls. Everything array-shaped is computed by plot/wavefield.ts; this file only moves the
 * results into GPU buffers, renders on demand, and disposes what it made when it unmounts.
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, Box } from '@mui/material';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { ColormapLut } from '../plot/colormaps.ts';
import { formatTick, niceStep, niceTicks } from '../plot/ticks.ts';
import {
  blendPressureOverVelocity,
  cellCentre,
  cellCentreUvs,
  depthWidthSlice,
  sliceBox,
  sliceQuad,
  timeDepthSlice,
  timeWidthSlice,
  velocityColumn,
  velocityRow,
  writeSurfaceHeights,
  type SliceBox,
  type SliceKind,
  type VolumeShape,
} from '../plot/wavefield.ts';

export type WavefieldDisplay = 'surface' | 'slices';

export interface WavefieldSceneProps {
  /** [frames, depth, width] pressure */
  volume: Float32Array;
  shape: VolumeShape;
  /** [depth, width] m/s, the model the wave ran through */
  velocity: Float32Array;
  velocityMin: number;
  velocityMax: number;
  velocityLut: ColormapLut;
  pressureLut: ColormapLut;
  clip: number;
  display: WavefieldDisplay;
  frame: number;
  /** Depth row of the x–t slice and column of the z–t slice. */
  sliceRow: number;
  sliceCol: number;
  /** Height of the surface at ±clip, in units of the model's longer side. */
  heightScale: number;
  source: { x: number; z: number };
  receivers: readonly { x: number; z: number }[];
  /** Grid spacing (m) and snapshot interval (ms): the axes' ticks in metres and milliseconds. */
  gridSpacingM: number;
  frameIntervalMs: number;
  testId: string;
}

/** How strongly the velocity model shows under the wave (0..1). */
const VELOCITY_BRIGHTNESS = 0.6;
const BACKGROUND = 0x0b0e11;

interface Slice {
  mesh: THREE.Mesh<THREE.BufferGeometry, THREE.MeshBasicMaterial>;
  texture: THREE.DataTexture;
  texels: Uint8Array;
}

interface SceneParts {
  renderer: THREE.WebGLRenderer;
  scene: THREE.Scene;
  camera: THREE.PerspectiveCamera;
  controls: OrbitControls;
  render: () => void;
  /** Objects of the current volume, rebuilt when the volume changes. */
  content: THREE.Group | null;
  surface: { mesh: THREE.Mesh<THREE.PlaneGeometry, THREE.MeshLambertMaterial>; texture: THREE.DataTexture; texels: Uint8Array } | null;
  slices: Record<SliceKind, Slice> | null;
  surfaceGroup: THREE.Group | null;
  slicesGroup: THREE.Group | null;
  sliceMarkers: THREE.Group | null;
  box: SliceBox | null;
}

function disposeObject(root: THREE.Object3D): void {
  root.traverse((object) => {
    const mesh = object as THREE.Mesh;
    if (mesh.geometry) mesh.geometry.dispose();
    const materials = mesh.material ? (Array.isArray(mesh.material) ? mesh.material : [mesh.material]) : [];
    for (const material of materials) {
      const withMap = material as THREE.Material & { map?: THREE.Texture | null };
      withMap.map?.dispose();
      material.dispose();
    }
  });
}

function dataTexture(texels: Uint8Array, cols: number, rows: number): THREE.DataTexture {
  const texture = new THREE.DataTexture(texels, cols, rows, THREE.RGBAFormat, THREE.UnsignedByteType);
  texture.colorSpace = THREE.SRGBColorSpace;
  texture.magFilter = THREE.LinearFilter;
  texture.minFilter = THREE.LinearFilter;
  texture.generateMipmaps = false;
  texture.needsUpdate = true;
  return texture;
}

/**
 * Ticks along an edge of the box from `from` (value 0) to `to` (value `span`, in `unit`), each a short
 * line towards `offset` and a label beyond it.
 */
function ticks(from: THREE.Vector3, to: THREE.Vector3, span: number, unit: string, offset: THREE.Vector3, maxTicks = 5): THREE.Group {
  const group = new THREE.Group();
  if (!(span > 0)) return group;
  const step = niceStep(span, maxTicks);
  const points: THREE.Vector3[] = [];
  for (const value of niceTicks(0, span, maxTicks)) {
    const at = from.clone().lerp(to, value / span);
    points.push(at, at.clone().addScaledVector(offset, 0.3));
    const text = label(`${formatTick(value, step)} ${unit}`);
    text.scale.set(0.44, 0.11, 1);
    text.position.copy(at).add(offset);
    group.add(text);
  }
  group.add(new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(points), new THREE.LineBasicMaterial({ color: 0x8899aa })));
  return group;
}

/** A text label drawn into a canvas texture, always facing the camera. */
function label(text: string, colour = '#e6ebf0'): THREE.Sprite {
  const canvas = document.createElement('canvas');
  canvas.width = 256;
  canvas.height = 64;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.font = '600 34px system-ui, sans-serif';
    ctx.fillStyle = colour;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, 128, 32);
  }
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: texture, depthTest: false, transparent: true }));
  sprite.scale.set(0.72, 0.18, 1);
  return sprite;
}

/** Source (an orange cone pointing down) and receivers (small spheres), positioned by the caller's mapping. */
function markers(source: { x: number; z: number }, receivers: readonly { x: number; z: number }[], at: (x: number, z: number) => THREE.Vector3, size: number): THREE.Group {
  const group = new THREE.Group();
  const cone = new THREE.Mesh(new THREE.ConeGeometry(size * 1.6, size * 4, 16), new THREE.MeshBasicMaterial({ color: 0xffa726 }));
  cone.rotation.x = Math.PI; // tip down, onto the source cell
  cone.position.copy(at(source.x, source.z)).add(new THREE.Vector3(0, size * 2, 0));
  cone.name = 'source';
  group.add(cone);
  const sphere = new THREE.SphereGeometry(size * 0.55, 8, 6);
  const material = new THREE.MeshBasicMaterial({ color: 0x7fffd4 });
  const receiverMesh = new THREE.InstancedMesh(sphere, material, Math.max(1, receivers.length));
  const matrix = new THREE.Matrix4();
  receivers.forEach((r, i) => receiverMesh.setMatrixAt(i, matrix.makeTranslation(at(r.x, r.z))));
  receiverMesh.count = receivers.length;
  receiverMesh.name = 'receivers';
  group.add(receiverMesh);
  return group;
}

export function WavefieldScene(props: WavefieldSceneProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const parts = useRef<SceneParts | null>(null);
  const [webglError, setWebglError] = useState<string | null>(null);
  const [renderedFrame, setRenderedFrame] = useState<number | null>(null);

  // Renderer, camera, controls: once per mount.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let renderer: THREE.WebGLRenderer;
    try {
      renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    } catch (error) {
      setWebglError(`This display cannot show 3D graphics (WebGL is unavailable: ${(error as Error).message}). The shot gather and the velocity model below still work.`);
      return;
    }
    renderer.setPixelRatio(window.devicePixelRatio || 1);
    renderer.setClearColor(BACKGROUND);
    renderer.domElement.style.display = 'block';
    renderer.domElement.setAttribute('data-testid', `${props.testId}-canvas`);
    container.appendChild(renderer.domElement);
    const scene = new THREE.Scene();
    scene.add(new THREE.AmbientLight(0xffffff, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.8);
    sun.position.set(1.5, 3, 2);
    scene.add(sun);
    const camera = new THREE.PerspectiveCamera(38, 1, 0.01, 100);
    const controls = new OrbitControls(camera, renderer.domElement);
    const render = () => renderer.render(scene, camera);
    controls.addEventListener('change', render);
    parts.current = { renderer, scene, camera, controls, render, content: null, surface: null, slices: null, surfaceGroup: null, slicesGroup: null, sliceMarkers: null, box: null };

    const resize = () => {
      const width = container.clientWidth;
      const height = container.clientHeight;
      if (width === 0 || height === 0) return;
      renderer.setSize(width, height);
      camera.aspect = width / height;
      camera.updateProjectionMatrix();
      render();
    };
    const observer = new ResizeObserver(resize);
    observer.observe(container);
    resize();
    return () => {
      observer.disconnect();
      controls.removeEventListener('change', render);
      controls.dispose();
      disposeObject(scene);
      renderer.dispose();
      renderer.forceContextLoss();
      renderer.domElement.remove();
      parts.current = null;
    };
    // Once per mount: the test id is fixed for a mounted scene.
  }, []);

  const { volume, shape, velocity, source, receivers, gridSpacingM, frameIntervalMs } = props;

  // Geometry and textures: once per volume.
  useEffect(() => {
    const p = parts.current;
    if (!p) return;
    if (p.content) {
      p.scene.remove(p.content);
      disposeObject(p.content);
    }
    const { nz, nx, frames } = shape;
    const box = sliceBox(shape);
    const content = new THREE.Group();

    // Surface: one vertex per cell, row-major [depth, width]; the plane lies flat after the rotation,
    // depth 0 at the far edge, and its local z (the height) points up.
    const surfaceGroup = new THREE.Group();
    const plane = new THREE.PlaneGeometry(box.width, box.depth, Math.max(1, nx - 1), Math.max(1, nz - 1));
    plane.setAttribute('uv', new THREE.BufferAttribute(cellCentreUvs(nz, nx), 2));
    const surfaceTexels = new Uint8Array(nz * nx * 4);
    const surfaceTexture = dataTexture(surfaceTexels, nx, nz);
    const surfaceMesh = new THREE.Mesh(plane, new THREE.MeshLambertMaterial({ map: surfaceTexture, side: THREE.DoubleSide }));
    surfaceMesh.rotation.x = -Math.PI / 2;
    surfaceGroup.add(surfaceMesh);
    const frameOutline = new THREE.LineSegments(new THREE.EdgesGeometry(new THREE.BoxGeometry(box.width, 0.0001, box.depth)), new THREE.LineBasicMaterial({ color: 0x8899aa }));
    surfaceGroup.add(frameOutline);
    const onSurface = (x: number, z: number) =>
      new THREE.Vector3(-box.width / 2 + (x * box.width) / Math.max(1, nx - 1), 0.02, -box.depth / 2 + (z * box.depth) / Math.max(1, nz - 1));
    surfaceGroup.add(markers(source, receivers, onSurface, 0.012));
    const xLabel = label('distance →');
    xLabel.position.set(0, 0, -box.depth / 2 - 0.32);
    const zLabel = label('depth →');
    zLabel.position.set(-box.width / 2 - 0.62, 0, 0);
    surfaceGroup.add(xLabel, zLabel);
    const widthM = nx * gridSpacingM;
    const depthM = nz * gridSpacingM;
    const farLeft = new THREE.Vector3(-box.width / 2, 0, -box.depth / 2);
    surfaceGroup.add(ticks(farLeft, new THREE.Vector3(box.width / 2, 0, -box.depth / 2), widthM, 'm', new THREE.Vector3(0, 0, -0.12)));
    surfaceGroup.add(ticks(farLeft, new THREE.Vector3(-box.width / 2, 0, box.depth / 2), depthM, 'm', new THREE.Vector3(-0.24, 0, 0)));
    content.add(surfaceGroup);

    // Slices: three textured quads in the x–z–t box.
    const slicesGroup = new THREE.Group();
    const makeSlice = (kind: SliceKind, cols: number, rows: number): Slice => {
      const quad = sliceQuad(kind, box, 0);
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', new THREE.BufferAttribute(quad.positions, 3));
      geometry.setAttribute('uv', new THREE.BufferAttribute(quad.uvs, 2));
      geometry.setIndex(new THREE.BufferAttribute(quad.indices, 1));
      const texels = new Uint8Array(cols * rows * 4);
      const texture = dataTexture(texels, cols, rows);
      const mesh = new THREE.Mesh(geometry, new THREE.MeshBasicMaterial({ map: texture, side: THREE.DoubleSide }));
      mesh.name = kind;
      slicesGroup.add(mesh);
      return { mesh, texture, texels };
    };
    const slices = {
      depthWidth: makeSlice('depthWidth', nx, nz),
      timeWidth: makeSlice('timeWidth', nx, frames),
      timeDepth: makeSlice('timeDepth', nz, frames),
    };
    slicesGroup.add(new THREE.LineSegments(new THREE.EdgesGeometry(new THREE.BoxGeometry(box.width, box.depth, box.time)), new THREE.LineBasicMaterial({ color: 0x8899aa })));
    const onSlice = (x: number, z: number) => new THREE.Vector3(-box.width / 2 + cellCentre(x, nx, box.width), box.depth / 2 - cellCentre(z, nz, box.depth), 0.004);
    const sliceMarkers = markers(source, receivers, onSlice, 0.012);
    slicesGroup.add(sliceMarkers);
    const tLabel = label('time →');
    tLabel.position.set(box.width / 2 + 0.75, box.depth / 2 + 0.1, box.time / 2);
    const dLabel = label('distance →');
    dLabel.position.set(0, box.depth / 2 + 0.3, -box.time / 2);
    const depthLabel = label('depth ↓');
    depthLabel.position.set(-box.width / 2 - 0.62, 0, -box.time / 2);
    slicesGroup.add(tLabel, dLabel, depthLabel);
    const topBackLeft = new THREE.Vector3(-box.width / 2, box.depth / 2, -box.time / 2);
    slicesGroup.add(ticks(topBackLeft, new THREE.Vector3(box.width / 2, box.depth / 2, -box.time / 2), nx * gridSpacingM, 'm', new THREE.Vector3(0, 0.1, 0)));
    slicesGroup.add(ticks(topBackLeft, new THREE.Vector3(-box.width / 2, -box.depth / 2, -box.time / 2), nz * gridSpacingM, 'm', new THREE.Vector3(-0.24, 0, 0)));
    slicesGroup.add(ticks(new THREE.Vector3(box.width / 2, box.depth / 2, -box.time / 2), new THREE.Vector3(box.width / 2, box.depth / 2, box.time / 2), frames * frameIntervalMs, 'ms', new THREE.Vector3(0.26, 0.04, 0), 6));
    content.add(slicesGroup);

    p.scene.add(content);
    p.content = content;
    p.surface = { mesh: surfaceMesh, texture: surfaceTexture, texels: surfaceTexels };
    p.slices = slices;
    p.surfaceGroup = surfaceGroup;
    p.slicesGroup = slicesGroup;
    p.sliceMarkers = sliceMarkers;
    p.box = box;
    // frames is part of shape; velocity changes come with a new volume.
  }, [volume, shape, velocity, source, receivers, gridSpacingM, frameIntervalMs]);

  // Camera: reset when the display or the volume changes.
  const { display } = props;
  useEffect(() => {
    const p = parts.current;
    if (!p || !p.box) return;
    const size = Math.max(p.box.width, p.box.depth);
    // Close enough that the model fills most of the (wide) view with its tick labels.
    if (display === 'surface') p.camera.position.set(0.3 * size, 0.95 * size, 1.35 * size);
    else p.camera.position.set(1.3 * size, 0.9 * size, 1.75 * size);
    p.controls.target.set(0, display === 'surface' ? -0.05 : 0, 0);
    p.controls.update();
  }, [display, volume, shape]);

  // Per-frame content: textures and heights.
  const { frame, clip, sliceRow, sliceCol, heightScale, velocityMin, velocityMax, velocityLut, pressureLut } = props;
  useEffect(() => {
    const p = parts.current;
    if (!p || !p.surface || !p.slices || !p.box || !p.surfaceGroup || !p.slicesGroup || !p.sliceMarkers) return;
    const blend = { pressureLut, clip, velocityLut, velocityMin, velocityMax, velocityBrightness: VELOCITY_BRIGHTNESS };
    const frameSlice = depthWidthSlice(volume, shape, frame);
    p.surfaceGroup.visible = display === 'surface';
    p.slicesGroup.visible = display === 'slices';
    if (display === 'surface') {
      blendPressureOverVelocity(frameSlice, velocity, blend, p.surface.texels);
      p.surface.texture.needsUpdate = true;
      const geometry = p.surface.mesh.geometry;
      const positions = geometry.getAttribute('position') as THREE.BufferAttribute;
      writeSurfaceHeights(frameSlice, clip, heightScale * Math.max(p.box.width, p.box.depth), positions.array as Float32Array);
      positions.needsUpdate = true;
      geometry.computeVertexNormals();
    } else {
      const { depthWidth, timeWidth, timeDepth } = p.slices;
      blendPressureOverVelocity(frameSlice, velocity, blend, depthWidth.texels);
      blendPressureOverVelocity(timeWidthSlice(volume, shape, sliceRow), velocityRow(velocity, shape.nx, sliceRow, shape.frames), blend, timeWidth.texels);
      blendPressureOverVelocity(timeDepthSlice(volume, shape, sliceCol), velocityColumn(velocity, shape.nx, sliceCol, shape.frames), blend, timeDepth.texels);
      const place = (slice: Slice, kind: SliceKind, at: number) => {
        const quad = sliceQuad(kind, p.box!, at);
        const attribute = slice.mesh.geometry.getAttribute('position') as THREE.BufferAttribute;
        (attribute.array as Float32Array).set(quad.positions);
        attribute.needsUpdate = true;
        slice.mesh.geometry.computeBoundingSphere();
        slice.texture.needsUpdate = true;
      };
      const tAt = cellCentre(frame, shape.frames, p.box.time);
      place(depthWidth, 'depthWidth', tAt);
      place(timeWidth, 'timeWidth', cellCentre(sliceRow, shape.nz, p.box.depth));
      place(timeDepth, 'timeDepth', cellCentre(sliceCol, shape.nx, p.box.width));
      p.sliceMarkers.position.z = -p.box.time / 2 + tAt;
    }
    p.render();
    setRenderedFrame(frame);
  }, [volume, shape, velocity, display, frame, clip, sliceRow, sliceCol, heightScale, velocityMin, velocityMax, velocityLut, pressureLut]);

  return (
    <Box sx={{ position: 'relative', width: '100%', height: '100%' }} data-testid={props.testId} data-display={display} data-rendered-frame={renderedFrame ?? undefined} data-webgl={webglError ? 'unavailable' : 'ok'}>
      {webglError ? (
        <Alert severity="warning" data-testid={`${props.testId}-webgl-unavailable`} sx={{ m: 2 }}>
          {webglError}
        </Alert>
      ) : (
        <Box ref={containerRef} sx={{ position: 'absolute', inset: 0, cursor: 'grab' }} aria-label="3D wavefield: drag to orbit, wheel to zoom, right-drag to pan" role="img" />
      )}
    </Box>
  );
}
