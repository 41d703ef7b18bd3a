/**
 * Losses: functional forms (torch.nn.functional's mse_loss, cross_entropy, nll_loss,
 * binary_cross_entropy, binary_cross_entropy_with_logits) and nn.Module classes.
 * @example
 *   const criterion = new tn.nn.CrossEntropyLoss();
 *   const loss = criterion.forward(logits, labels);
 */
export { mseLoss, nllLoss, crossEntropy } from './functional';
export type { Reduction, ReductionOptions, NLLOptions, CrossEntropyOptions } from './functional';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './binary';
export type { BCEOptions, BCEWithLogitsOptions } from './binary';
export { Loss, MSELoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss } from './modules';
