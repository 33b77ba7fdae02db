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
//	backend.go     Backend: XLA when its plugin loads, else the pure Go backend
//	data.go        LoadMNIST, Digits, subsets and noise
//	idx.go         the IDX file format MNIST ships in
//	flatten.go     Flatten / Unflatten in the lecture's order
//	model.go       MLP encoders and decoders, the reference autoencoder
//	train.go       Fit, evaluation, the learning-rate schedule
//	checkpoint.go  saving and reusing trained models
//	figures.go     image grids, line plots, scatter plots, bars
//	results.go     recording the lecture's claims as measured numbers
package aelib
