// The MLPerf Tiny training models (../shared/papers.md), built with the model API, so examples,
// benchmarks, golden tests and the device images all train the very same graphs.
//
//   deep_autoencoder  anomaly detection: Linear 640→128→128→128→128→8→128→128→128→128→640, ReLU
//   ds_cnn            keyword spotting on 1×49×10 MFCCs: Conv 10×4 stride 2 ("same" padding,
//                     4 above and 5 below, 1 left and right) → 64×25×5, BatchNorm, ReLU; four
//                     blocks of depthwise 3×3 + BN + ReLU, pointwise 64→64 + BN + ReLU; global
//                     average pool; Linear 64→12. 2,656,768 forward MACs.
//   resnet8           CIFAR-10 on 3×32×32: Conv 3×3 16 + BN + ReLU; three residual stacks of two
//                     3×3 convolutions with BN (16; 32 with stride 2; 64 with stride 2; the
//                     strided stacks have a 1×1 stride-2 shortcut), each closed by add and ReLU;
//                     global average pool; Linear 64→10. 12,501,632 forward MACs.
// The strided 3×3 convolutions pad like Keras' "same" (0 before, 1 after), the reference's.
// Convolutions followed by BatchNorm have no bias: BN removes any per-channel offset, so such a
// bias gets a zero gradient (only rounding noise, which Adam would amplify into drift).
#pragma once
#include "graph/model.h"

namespace utrain {

Model deep_autoencoder_model();
Model ds_cnn_model(Layout layout = Layout::chw);
Model resnet8_model(Layout layout = Layout::chw);

}  // namespace utrain
