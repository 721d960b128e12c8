/**
 * Optimizers with tf_keras 2.x (non-legacy) update rules and state named as
 * Keras names it: `iteration`, `Adam/m/dense/kernel`, `SGD/m/dense/kernel`, …
 * Formulas follow tf_keras/src/optimizers/{adam,sgd,rmsprop,adagrad}.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hostMemory } from './host-memory.js';

const f32 = Math.fround;

/** A trainable variable with its Keras path (`dense/kernel`). */
export interface NamedVariable {
  readonly path: string;
  readonly variable: tf.Variable;
}

/** One optimizer state tensor with its Keras name. */
export interface OptimizerSlot {
  readonly name: string;
  readonly variable: tf.Variable;
}

/** Base class: slot creation, the iteration counter, config. */
export abstract class Optimizer {
  abstract readonly className: string;
  /** Number of updates applied (Keras's `iterations`). */
  iterations = 0;
  readonly learningRate: number;
  protected readonly slots = new Map<tf.Variable, tf.Variable[]>();
  private readonly slotList: OptimizerSlot[] = [];
  private varsBuilt = false;

  constructor(learningRate: number) {
    this.learningRate = learningRate;
  }

  /** Slot names per variable (`['m', 'v']` for Adam). */
  protected abstract slotNames(): string[];
  /** Initial value of a slot. */
  protected slotInit(): number {
    return 0;
  }
  /** Updates one variable with its gradient; runs inside a tidy. */
  protected abstract updateStep(variable: tf.Variable, grad: tf.Tensor, slots: tf.Variable[]): void;
  /** Optimizer-specific config keys. */
  protected abstract ownConfig(): Record<string, unknown>;

  /** Creates the state for `vars` (once, in their order). */
  build(vars: readonly NamedVariable[]): void {
    if (this.varsBuilt) return;
    this.varsBuilt = true;
    for (const { path, variable } of vars) {
      const list = this.slotNames().map((s) => {
        const v = tf.variable(tf.fill(variable.shape, this.slotInit()), false);
        this.slotList.push({ name: `${this.className}/${s}/${path}`, variable: v });
        return v;
      });
      this.slots.set(variable, list);
    }
  }

  /** Applies one step of gradients (same order as the variables). */
  applyGradients(vars: readonly NamedVariable[], grads: readonly tf.Tensor[]): void {
    this.build(vars);
    tf.tidy(() => {
      vars.forEach(({ variable }, i) => this.updateStep(variable, grads[i]!, this.slots.get(variable) ?? []));
    });
    this.iterations++;
  }

  /**
   * Restores state saved by Keras: `iterations` and the slot values in
   * {@link variables} order (tf_keras layout, without `iteration`).
   * @throws Error when the count or a shape does not match.
   */
  restore(vars: readonly NamedVariable[], iterations: number, slotValues: readonly tf.Tensor[]): void {
    this.build(vars);
    if (slotValues.length !== this.slotList.length) {
      throw new Error(`runtime: ${this.className} has ${this.slotList.length} state variables, got ${slotValues.length}`);
    }
    this.slotList.forEach((s, i) => {
      const v = slotValues[i]!;
      if (v.shape.join(',') !== s.variable.shape.join(',')) throw new Error(`runtime: ${s.name} has shape [${s.variable.shape}], got [${v.shape}]`);
      s.variable.assign(v);
    });
    this.iterations = iterations;
  }

  /** Slot names per variable, in Keras order (`['m', 'v']` for Adam). */
  get slotKinds(): string[] {
    return this.slotNames();
  }

  /** State as Keras lists it: `iteration` then the slots in variable order. */
  variables(): OptimizerSlot[] {
    return [...this.slotList];
  }

  /** The Keras optimizer config (`name`, `learning_rate`, …). */
  getConfig(): Record<string, unknown> {
    return {
      name: this.className, weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null,
      use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, jit_compile: false, is_legacy_optimizer: false,
      learning_rate: this.learningRate, ...this.ownConfig(),
    };
  }

  /** Frees the state. */
  dispose(): void {
    for (const s of this.slotList) s.variable.dispose();
  }
}

/** Options of {@link Adam}. */
export interface AdamArgs { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number; amsgrad?: boolean }

/** Adam: `alpha = lr·sqrt(1-β2^t)/(1-β1^t)`, `var -= m·alpha/(sqrt(v)+ε)`. */
export class Adam extends Optimizer {
  readonly className = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  constructor(a: AdamArgs = {}) {
    super(a.learningRate ?? 0.001);
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
    this.amsgrad = a.amsgrad ?? false;
  }
  protected slotNames(): string[] {
    return this.amsgrad ? ['m', 'v', 'vhat'] : ['m', 'v'];
  }
  protected updateStep(variable: tf.Variable, g: tf.Tensor, [m, v, vhat]: tf.Variable[]): void {
    const t = this.iterations + 1;
    const b1p = f32(Math.pow(f32(this.beta1), t));
    const b2p = f32(Math.pow(f32(this.beta2), t));
    const alpha = f32(f32(f32(this.learningRate) * f32(Math.sqrt(f32(1 - b2p)))) / f32(1 - b1p));
    const host = vhat || g.dtype !== 'float32' ? undefined : hostMemory();
    if (host) {
      // One fused pass, rounding to float32 after every operation exactly as TF's float32 kernels do
      // (a double result of one float32 op rounded to float32 is the correctly rounded float32 result).
      // m and v are the optimizer's own: updated in place when nothing else shares their storage (half the
      // memory traffic of fresh buffers). The variable gets a fresh buffer: kernels may cache it by identity.
      const inPlace = host.exclusive(m!) && host.exclusive(v!);
      const r = host.run(variable.shape, inPlace ? 1 : 3, [variable, g, m!, v!]);
      const { outputs, in: [w, gg, mm, vv] } = r;
      const [nw, nm, nv] = inPlace ? [r.out[0], mm, vv] : r.out;
      const c1 = f32(1 - this.beta1);
      const c2 = f32(1 - this.beta2);
      const eps = f32(this.epsilon);
      const simdCount = r.simd ? nw!.length & ~3 : 0;
      if (r.simd) {
        const [iw, ig, im, iv] = r.simd.inOffsets as [number, number, number, number];
        const [ow, om, ov] = (inPlace ? [r.simd.outOffsets[0], im, iv] : r.simd.outOffsets) as [number, number, number];
        r.simd.kernels.adam(iw, ig, im, iv, ow, om, ov, simdCount * 4, c1, c2, alpha, eps);
      }
      for (let i = simdCount; i < nw!.length; i++) {
        const gi = gg![i]!;
        const m0 = mm![i]!;
        const v0 = vv![i]!;
        const mi = f32(m0 + f32(f32(gi - m0) * c1));
        const vi = f32(v0 + f32(f32(f32(gi * gi) - v0) * c2));
        nm![i] = mi;
        nv![i] = vi;
        nw![i] = f32(w![i]! - f32(f32(mi * alpha) / f32(f32(Math.sqrt(vi)) + eps)));
      }
      variable.assign(outputs[0]!);
      if (!inPlace) {
        m!.assign(outputs[1]!);
        v!.assign(outputs[2]!);
      }
      return;
    }
    m!.assign(tf.add(m!, tf.mul(tf.sub(g, m!), 1 - this.beta1)));
    v!.assign(tf.add(v!, tf.mul(tf.sub(tf.square(g), v!), 1 - this.beta2)));
    let vv: tf.Tensor = v!;
    if (vhat) {
      vhat.assign(tf.maximum(vhat, v!));
      vv = vhat;
    }
    variable.assign(tf.sub(variable, tf.div(tf.mul(m!, alpha), tf.add(tf.sqrt(vv), this.epsilon))));
  }
  protected ownConfig(): Record<string, unknown> {
    return { beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/** Options of {@link SGD}. */
export interface SGDArgs { learningRate?: number; momentum?: number; nesterov?: boolean }

/** SGD with optional (Nesterov) momentum: `m = momentum·m - lr·g`, `var += m`. */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(a: SGDArgs = {}) {
    super(a.learningRate ?? 0.01);
    this.momentum = a.momentum ?? 0;
    this.nesterov = a.nesterov ?? false;
  }
  /** tf_keras's SGD always tracks `m`, also with momentum 0. */
  protected slotNames(): string[] {
    return ['m'];
  }
  protected updateStep(variable: tf.Variable, g: tf.Tensor, [m]: tf.Variable[]): void {
    const lr = f32(this.learningRate);
    const mom = f32(this.momentum);
    const host = g.dtype === 'float32' ? hostMemory() : undefined;
    if (host) {
      const r = host.run(variable.shape, 2, [variable, g, m!]);
      const { outputs, out: [nw, nm], in: [w, gg, mm] } = r;
      const nesterov = this.nesterov;
      const simdCount = r.simd ? nw!.length & ~3 : 0;
      if (r.simd) {
        const [ow, om] = r.simd.outOffsets as [number, number];
        const [iw, ig, im] = r.simd.inOffsets as [number, number, number];
        (nesterov ? r.simd.kernels.sgdNesterov : r.simd.kernels.sgd)(iw, ig, im, ow, om, simdCount * 4, lr, mom);
      }
      for (let i = simdCount; i < nw!.length; i++) {
        const step = f32(-gg![i]! * lr);
        const mi = f32(step + f32(mm![i]! * mom));
        nm![i] = mi;
        nw![i] = nesterov ? f32(w![i]! + f32(step + f32(mi * mom))) : f32(w![i]! + mi);
      }
      variable.assign(outputs[0]!);
      m!.assign(outputs[1]!);
      return;
    }
    m!.assign(tf.add(tf.mul(tf.neg(g), lr), tf.mul(m!, this.momentum)));
    if (this.nesterov) variable.assign(tf.add(variable, tf.add(tf.mul(tf.neg(g), lr), tf.mul(m!, this.momentum))));
    else variable.assign(tf.add(variable, m!));
  }
  protected ownConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** Options of {@link RMSprop}. */
export interface RMSpropArgs { learningRate?: number; rho?: number; momentum?: number; epsilon?: number; centered?: boolean }

/** RMSprop: `velocity = ρ·velocity + (1-ρ)·g²`, `var -= lr·g·rsqrt(velocity + ε)`. */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(a: RMSpropArgs = {}) {
    super(a.learningRate ?? 0.001);
    this.rho = a.rho ?? 0.9;
    this.momentum = a.momentum ?? 0;
    this.epsilon = a.epsilon ?? 1e-7;
    this.centered = a.centered ?? false;
  }
  protected slotNames(): string[] {
    return ['velocity', ...(this.momentum > 0 ? ['momentum'] : []), ...(this.centered ? ['average_gradient'] : [])];
  }
  protected updateStep(variable: tf.Variable, g: tf.Tensor, slots: tf.Variable[]): void {
    const [vel] = slots;
    const mom = this.momentum > 0 ? slots[1] : undefined;
    const avg = this.centered ? slots[slots.length - 1] : undefined;
    vel!.assign(tf.add(tf.mul(vel!, this.rho), tf.mul(tf.square(g), 1 - this.rho)));
    let denom: tf.Tensor;
    if (avg) {
      avg.assign(tf.add(tf.mul(avg, this.rho), tf.mul(g, 1 - this.rho)));
      denom = tf.add(tf.sub(vel!, tf.square(avg)), this.epsilon);
    } else {
      denom = tf.add(vel!, this.epsilon);
    }
    const inc = tf.mul(tf.mul(g, f32(this.learningRate)), tf.rsqrt(denom));
    if (mom) {
      mom.assign(tf.add(tf.mul(mom, this.momentum), inc));
      variable.assign(tf.sub(variable, mom));
    } else {
      variable.assign(tf.sub(variable, inc));
    }
  }
  protected ownConfig(): Record<string, unknown> {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

/** Options of {@link Adagrad}. */
export interface AdagradArgs { learningRate?: number; initialAccumulatorValue?: number; epsilon?: number }

/** Adagrad: `acc += g²`, `var -= lr·g / sqrt(acc + ε)`. */
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(a: AdagradArgs = {}) {
    super(a.learningRate ?? 0.001);
    this.initialAccumulatorValue = a.initialAccumulatorValue ?? 0.1;
    this.epsilon = a.epsilon ?? 1e-7;
  }
  protected slotNames(): string[] {
    return ['accumulator'];
  }
  protected override slotInit(): number {
    return this.initialAccumulatorValue;
  }
  protected updateStep(variable: tf.Variable, g: tf.Tensor, [acc]: tf.Variable[]): void {
    acc!.assign(tf.add(acc!, tf.square(g)));
    variable.assign(tf.sub(variable, tf.div(tf.mul(g, f32(this.learningRate)), tf.sqrt(tf.add(acc!, this.epsilon)))));
  }
  protected ownConfig(): Record<string, unknown> {
    return { initial_accumulator_value: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

/** An optimizer from a Keras name (`'adam'`), a `{class_name, config}` object, or an instance. */
export function getOptimizer(spec: string | Optimizer | { class_name: string; config?: Record<string, unknown> }): Optimizer {
  if (spec instanceof Optimizer) return spec;
  const name = (typeof spec === 'string' ? spec : spec.class_name).toLowerCase();
  const c = typeof spec === 'string' ? {} : spec.config ?? {};
  const num = (k: string): number | undefined => (typeof c[k] === 'number' ? (c[k] as number) : undefined);
  const lr = num('learning_rate');
  const pick = (o: Record<string, unknown>): object =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (name) {
    case 'adam': return new Adam(pick({ learningRate: lr, beta1: num('beta_1'), beta2: num('beta_2'), epsilon: num('epsilon'), amsgrad: c['amsgrad'] === true }) as AdamArgs);
    case 'sgd': return new SGD(pick({ learningRate: lr, momentum: num('momentum'), nesterov: c['nesterov'] === true }) as SGDArgs);
    case 'rmsprop': return new RMSprop(pick({ learningRate: lr, rho: num('rho'), momentum: num('momentum'), epsilon: num('epsilon'), centered: c['centered'] === true }) as RMSpropArgs);
    case 'adagrad': return new Adagrad(pick({ learningRate: lr, initialAccumulatorValue: num('initial_accumulator_value'), epsilon: num('epsilon') }) as AdagradArgs);
    default: throw new Error(`runtime: unknown optimizer '${name}'`);
  }
}
