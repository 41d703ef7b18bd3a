/**
 * The lecture's PyTorch MLP, line for line in TypeScript. With TENSORNODE_DEVICE=cpu it prints
 * exactly what the PyTorch program prints on CPU (test/nn/lecture_example.test.ts compares it).
 *
 *   npx ts-node examples/lecture_mlp.ts
 *
 * PyTorch original:
 *   device = "cuda" if torch.cuda.is_available() else "cpu"
 *   print(f"Using {device} device")
 *   class NeuralNetwork(nn.Module):
 *       def __init__(self):
 *           super().__init__()
 *           self.deep_nn = nn.Sequential(nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 6), nn.Sigmoid(), nn.Linear(6, 3))
 *       def forward(self, x):
 *           return self.deep_nn(x)
 *   torch.manual_seed(42)
 *   model = NeuralNetwork().to(device)
 *   print(model)
 *   for name, param in model.named_parameters():
 *       print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
 *   X = torch.rand(2, 4, device=device)
 *   print(model(X))
 */
import * as tn from '../lib/index';
import * as nn from '../lib/nn';

// PyTorch: "cuda" if torch.cuda.is_available() else "cpu". tn.device is that choice, made at load,
// and also honours TENSORNODE_DEVICE=cpu|cuda.
const device = tn.device;
console.log(`Using ${device} device`);

class NeuralNetwork extends nn.Module {
  deep_nn = new nn.Sequential(
    new nn.Linear(4, 5),
    new nn.Sigmoid(),
    new nn.Linear(5, 6),
    new nn.Sigmoid(),
    new nn.Linear(6, 3),
  );

  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.call(x);
  }
}

tn.manualSeed(42);
const model = new NeuralNetwork().to(device);
console.log(model);

for (const [name, param] of model.namedParameters()) {
  console.log(`Layer: ${name} | Size: ${nn.formatSize(param.size())} | Values : ${param.slice(0, 2)} \n`);
}

const X = tn.rand(2, 4, { device });
console.log(model.call(X));
