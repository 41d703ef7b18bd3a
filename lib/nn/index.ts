/**
 * tn.nn: modules and layers with PyTorch's names, registration order, printing and state dicts.
 * @example
 *   import { nn } from 'tensornode';
 *   class NeuralNetwork extends nn.Module {
 *     deep_nn = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 3));
 *     forward(x: Tensor) { return this.deep_nn.forward(x); }
 *   }
 */
export { Module } from './module';
export type { ForwardHook, RemovableHandle } from './module';
export { Parameter } from './parameter';
export { Linear, Identity } from './linear';
export type { LinearOptions } from './linear';
export { Sigmoid, Tanh, ReLU, Softmax, LogSoftmax } from './activation';
export { Flatten } from './flatten';
export { Dropout } from './dropout';
export { Sequential, ModuleList } from './container';
export { ModuleShapeError } from './module_error';
export { IncompatibleKeys, StateDictError } from './state_dict';
export { summaryTable } from './summary';
export type { SummaryRow, SummaryTable } from './summary';
export { formatSize } from './repr';
export * as functional from './functional';
export * as init from './init';
export { save, load, saveToBuffer, loadFromBuffer, saveAsync, loadAsync } from './serialization';
export type { LoadOptions } from './serialization';
// The loss modules live in lib/losses (built on Module); tn.nn offers them as PyTorch does.
export { Loss, MSELoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss } from '../losses';
