// Package aelib is the helper library of the AutoEncoder lecture notebooks.
//
// The notebooks teach; aelib carries what every lesson needs but would
// distract from it: choosing a backend, loading MNIST offline, the training
// loop, checkpoints, figures and the results file. It plays the role d2l's
// helper package plays for its book: one flat package, so a notebook cell
// needs a single import.
//
// Files by concern:
//
//	env.go         Setup (the first cell of every notebook), Check, Versions
//	backend.go     Backend: XLA when its plugin loads, else the pure Go backend
//	mnist.go       LoadMNIST: offline from the Go module cache, checked by SHA-256
//	idx.go         ReadIDX, the file format MNIST ships in
//	data.go        Digits: subsets, balanced samples, noise
//	flatten.go     Flatten / Unflatten in the lecture's order (01)
//	model.go       Linear, MLP, NewAE, ReferenceAE: encode, decode, reconstruct (02)
//	train.go       Config, Fit, History: per-pixel MSE, Adam, the lecture's schedule
//	checkpoint.go  FitOrLoad, Save, Load: trained models reused across cells and notebooks
//	settings.go    the shared training flags, SaveSettings / UseSettings
//	classifier.go  a classifier on a (pretrained) encoder
//	embed.go       PCA, KNNAccuracy, Nearest, CodeGrid: studying the code space (04)
//	diagram.go     ShowDiagram: the project's own diagrams from images/
//	figures.go     Grid, DigitLine, Scatter, Curves, Bars: PNG figures that persist
//	live.go        LiveCurve: the loss curve drawn while training runs
//	results.go     Record: the lecture's claims as measured numbers
//	quick.go       Quick: AELIB_QUICK's reduced runs for tests
//
// Every loss and error in this package is the per-pixel mean squared error:
// the mean over the batch and the 784 pixels, like PyTorch's nn.MSELoss.
package aelib
