// Package aelib is the helper library of the AutoEncoder lecture notebooks.
//
// The notebooks teach: each holds the model it teaches, its loss and its
// training step. aelib carries what every lesson needs but would distract
// from it: choosing a backend, loading MNIST offline, the training loop's
// plumbing (epochs, batches gathered on the device, the learning-rate
// schedule, progress, the loss chart), checkpoints, figures and the results
// file. It plays the role d2l's helper package plays for its book: one flat
// package, so a notebook cell needs a single import.
//
// Files by concern:
//
//	must.go        Must, Must1, Must2: one-line errors in notebook cells; Error
//	env.go         Setup (the first cell of every notebook), Versions
//	backend.go     Backend: XLA when its plugin loads, else the pure Go backend
//	mnist.go       LoadMNIST: offline from the Go module cache, checked by SHA-256
//	idx.go         readIDX, the file format MNIST ships in
//	data.go        Digits: images and labels, subsets
//	flatten.go     Flatten / Unflatten in the lecture's order (01)
//	model.go       Layer, Linear, MLP, AE, NewAE, ReferenceAE (02)
//	infer.go       Encode, Decode, Reconstruct, MSE: running a trained AE
//	train.go       Config, Step, Model, Train: the loop around a notebook's training step
//	checkpoint.go  TrainOrLoad: trained models reused across cells and notebooks
//	embed.go       PCA, KNNAccuracy, Nearest: studying the code space (02, 04)
//	figure.go      Figure: PNG figures that persist in saved notebooks
//	grid.go        Grid, DigitLine: images
//	chart.go       Curves, Bars, the loss chart
//	scatter.go     Scatter: codes drawn as digit labels
//	live.go        the loss chart drawn while training runs
//	diagram.go     ShowDiagram: the project's own diagrams from images/
//	results.go     Record: the lecture's claims as measured numbers
//	quick.go       isQuick: AELIB_QUICK's reduced runs for tests
//
// Every reconstruction loss and error in this package is the per-pixel mean
// squared error: the mean over the images and their 784 pixels, like
// PyTorch's nn.MSELoss.
package aelib
